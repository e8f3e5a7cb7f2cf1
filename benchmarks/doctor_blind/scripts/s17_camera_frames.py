"""Classify small RGB camera frames stored as height x width x channel arrays."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

H = W = 24


class FrameDataset(Dataset):
    """Frames come from the capture tool as uint8-like HWC arrays."""

    def __init__(self, n, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.frames = torch.rand(n, H, W, 3, generator=g)
        self.labels = torch.randint(0, 3, (n,), generator=g)
        # the dominant colour channel defines the class
        for i in range(n):
            self.frames[i, :, :, self.labels[i]] += 0.5
        self.frames = (self.frames * 255 / 1.5).round()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        img = self.frames[i] / 255.0
        img = img.view(3, H, W)
        return img, self.labels[i]


class FrameNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.fc = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


if __name__ == "__main__":
    torch.manual_seed(0)
    loader = DataLoader(FrameDataset(512), batch_size=32, shuffle=True)
    model = FrameNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    crit = nn.CrossEntropyLoss()
    for epoch in range(3):
        hits = 0
        for x, y in loader:
            opt.zero_grad()
            out = model(x)
            loss = crit(out, y)
            loss.backward()
            opt.step()
            hits += (out.argmax(1) == y).sum().item()
        print(f"epoch {epoch}: loss {loss.item():.3f} acc {hits / 512:.3f}")
