"""Frames arrive as N x H x W x C; a sensor stream as N x T x F. Both reordered correctly."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class FrameAndSignalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.rnn = nn.GRU(input_size=5, hidden_size=16)   # expects T x N x F
        self.signal_proj = nn.Linear(5 * 10, 16)
        self.head = nn.Linear(8 * 16 + 16 + 16, 2)

    def forward(self, frames_nhwc, signal_ntf):
        n = frames_nhwc.size(0)
        frames = frames_nhwc.permute(0, 3, 1, 2)            # N, C, H, W
        img_feat = self.conv(frames).reshape(n, -1)          # flatten
        _, h = self.rnn(signal_ntf.transpose(0, 1))          # T, N, F
        flat_sig = signal_ntf.permute(0, 2, 1).reshape(n, -1)  # N, F*T (feature-major)
        sig_feat = torch.relu(self.signal_proj(flat_sig))
        return self.head(torch.cat([img_feat, h[-1], sig_feat], dim=1))


if __name__ == "__main__":
    torch.manual_seed(0)
    n = 400
    frames = torch.rand(n, 16, 16, 3)
    signal = torch.randn(n, 10, 5)
    labels = ((frames[..., 0].mean((1, 2)) - 0.5) * 4 + signal[:, :, 2].mean(1) > 0).long()
    loader = DataLoader(TensorDataset(frames, signal, labels), batch_size=32, shuffle=True)
    model = FrameAndSignalNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    crit = nn.CrossEntropyLoss()
    for epoch in range(4):
        for f, s, y in loader:
            opt.zero_grad()
            loss = crit(model(f, s), y)
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")
