# expect:
"""Self-attention with the heads split the right way: view(B, L, H, d).transpose(1, 2),
and merged back with transpose(1, 2).reshape(B, L, E)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class SelfAttention(nn.Module):
    def __init__(self, dim=32, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        B, L, E = x.shape
        H, d = self.heads, E // self.heads
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q, k, v = (t.view(B, L, H, d).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1) / d ** 0.5).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, L, E)
        return self.out(y)


model = nn.Sequential(SelfAttention(), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 32, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(20):
    x = torch.randn(16, 6, 32)
    target = (x[:, 0, 0] > x[:, -1, 0]).long()
    opt.zero_grad()
    loss = F.cross_entropy(model(x), target)
    loss.backward()
    opt.step()
print(loss.item())
