# expect:
"""Heads folded into the batch dimension the right way, for torch.bmm:
view(B, L, H, d).transpose(1, 2).reshape(B * H, L, d), and back with
view(B, H, L, d).transpose(1, 2).reshape(B, L, H * d). A second model views an image's channels
as a batch of [H, W] maps ([N, C, H*W] -> [N*C, H, W], with C == H) and convolves each one:
the same shapes as a folded head, but no batched product reads them."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class FoldedAttention(nn.Module):
    def __init__(self, dim=24, heads=3):
        super().__init__()
        self.heads, self.size = heads, dim // heads
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)

    def split(self, t):
        B, L, _ = t.shape
        return t.view(B, L, self.heads, self.size).transpose(1, 2).reshape(B * self.heads, L, self.size)

    def forward(self, x):
        B, L, _ = x.shape
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        weights = F.softmax(torch.bmm(q, k.transpose(1, 2)) / self.size ** 0.5, dim=-1)
        out = torch.bmm(weights, v)
        return out.view(B, self.heads, L, self.size).transpose(1, 2).reshape(B, L, self.heads * self.size)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = FoldedAttention()
        self.head = nn.Linear(24, 5)

    def forward(self, x):
        return self.head(torch.relu(self.attn(x) + x))


class PerChannel(nn.Module):
    """One small convolution applied to every channel map on its own."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.fc = nn.Linear(8 * 2 * 8 * 8, 3)

    def forward(self, x):                       # x: [N, 8, 64], eight 8x8 maps per sample
        N, C, _ = x.shape
        maps = x.view(N * C, 8, 8)
        y = F.relu(self.conv(maps.unsqueeze(1)))
        return self.fc(y.reshape(N, -1))


model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(25):
    x = torch.randn(12, 7, 24)
    tags = x[..., :5].argmax(-1)
    opt.zero_grad()
    loss = F.cross_entropy(model(x).reshape(-1, 5), tags.reshape(-1))
    loss.backward()
    opt.step()

images = PerChannel()
opt2 = torch.optim.SGD(images.parameters(), lr=0.05)
for step in range(10):
    x = torch.randn(16, 8, 64)
    y = (x.mean(dim=(1, 2)) > 0).long() + (x[:, 0].mean(1) > 0).long()
    opt2.zero_grad()
    F.cross_entropy(images(x), y).backward()
    opt2.step()
print(loss.item())
