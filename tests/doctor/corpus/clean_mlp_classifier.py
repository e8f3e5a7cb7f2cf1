# expect:
"""A correct training script: shuffled loader, zero_grad/backward/step, eval() + no_grad()."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(512, 20)
w = torch.randn(20, 4)
y = (X @ w).argmax(1)
train = DataLoader(TensorDataset(X[:384], y[:384]), batch_size=32, shuffle=True)
test = DataLoader(TensorDataset(X[384:], y[384:]), batch_size=64)

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.CrossEntropyLoss()
for epoch in range(4):
    model.train()
    for xb, yb in train:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in test:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch}: loss {loss.item():.3f} acc {correct / 128:.2%}")
torch.save(model.state_dict(), "/tmp/tt_clean_mlp.pt")
