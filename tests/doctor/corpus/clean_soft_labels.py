# expect:
"""Knowledge distillation: CrossEntropyLoss with probability targets from a teacher."""
import torch
import torch.nn as nn
from _data import blobs

torch.manual_seed(0)
X, y = blobs(n=256)
teacher = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4))
student = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))
opt = torch.optim.Adam(student.parameters(), lr=1e-2)
crit = nn.CrossEntropyLoss()
teacher.eval()
for step in range(30):
    idx = torch.randint(0, 256, (32,))
    with torch.no_grad():
        soft = (teacher(X[idx]) / 2.0).softmax(dim=1)
    opt.zero_grad()
    loss = crit(student(X[idx]), soft)
    loss.backward()
    opt.step()
print("distillation loss", loss.item())
