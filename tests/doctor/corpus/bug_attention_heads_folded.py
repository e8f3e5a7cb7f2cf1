# expect: view-instead-of-permute
"""Multi-head self-attention that folds the heads into the batch dimension with one view:
q.view(B * H, -1, d) on a [B, L, H * d] tensor, then torch.bmm. Each "head" is then a run of
memory spanning several positions; the way back, out.view(B, -1, H * d), is the same mistake."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class FoldedAttention(nn.Module):
    def __init__(self, dim=24, heads=3):
        super().__init__()
        self.heads, self.size = heads, dim // heads
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)

    def forward(self, x):
        B = x.shape[0]
        q = self.q(x).view(B * self.heads, -1, self.size)
        k = self.k(x).view(B * self.heads, -1, self.size)
        v = self.v(x).view(B * self.heads, -1, self.size)
        weights = F.softmax(torch.bmm(q, k.transpose(1, 2)) / self.size ** 0.5, dim=-1)
        return torch.bmm(weights, v).view(B, -1, self.heads * self.size)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = FoldedAttention()
        self.head = nn.Linear(24, 5)

    def forward(self, x):
        return self.head(torch.relu(self.attn(x) + x))


model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(25):
    x = torch.randn(12, 7, 24)
    tags = x[..., :5].argmax(-1)
    opt.zero_grad()
    loss = F.cross_entropy(model(x).reshape(-1, 5), tags.reshape(-1))
    loss.backward()
    opt.step()
print(loss.item())
