# expect:
"""An intentional low-rank factorisation: Linear(128, 8) -> Linear(8, 128), no activation."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(32, 128)
        self.down = nn.Linear(128, 8)   # rank-8 bottleneck of a 128x128 map
        self.up = nn.Linear(8, 128)
        self.head = nn.Linear(128, 3)

    def forward(self, x):
        h = torch.relu(self.encode(x))
        h = self.up(self.down(h))
        return self.head(torch.relu(h))


X = torch.randn(256, 32)
y = torch.randint(0, 3, (256,))
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(30):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X), y)
    loss.backward()
    opt.step()
print(loss.item())
