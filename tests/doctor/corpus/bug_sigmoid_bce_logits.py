# expect: softmax-before-cross-entropy
"""Binary classifier: sigmoid in forward, then BCEWithLogitsLoss applies it a second time."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(256, 10)
y = (X[:, 0] + X[:, 1] > 0).float()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(x)))).squeeze(1)


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.BCEWithLogitsLoss()
for step in range(40):
    opt.zero_grad()
    loss = crit(model(X), y)
    loss.backward()
    opt.step()
print(loss.item())
