# expect: softmax-before-cross-entropy
"""The softmax sits in forward() in another file; the mistake shows at the loss call here.
The report must point at both lines."""
import torch
import torch.nn as nn
from _data import blobs
from _network import Classifier

torch.manual_seed(0)
X, y = blobs()
model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(30):
    idx = torch.randperm(len(X))[:32]
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
print(loss.item())
