"""Activity recognition from accelerometer windows with a sequence-first LSTM."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

T, F = 20, 3


class ActivityLSTM(nn.Module):
    def __init__(self, hidden=32, n_classes=3):
        super().__init__()
        self.lstm = nn.LSTM(F, hidden)          # (seq, batch, feature)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, windows):                # windows: (batch, seq, feature)
        n = windows.size(0)
        seq = windows.view(T, n, F)
        _, (h, _) = self.lstm(seq)
        return self.fc(h[-1])


def make_windows(n=900, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    t = torch.linspace(0, 6.28, T)
    freq = (y + 1).float().view(-1, 1)
    base = torch.sin(freq * t)                     # (n, T)
    x = base.unsqueeze(-1).repeat(1, 1, F) + 0.3 * torch.randn(n, T, F, generator=g)
    return x, y


if __name__ == "__main__":
    torch.manual_seed(0)
    x, y = make_windows()
    loader = DataLoader(TensorDataset(x, y), batch_size=30, shuffle=True)
    model = ActivityLSTM()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    crit = nn.CrossEntropyLoss()
    for epoch in range(4):
        for xb, yb in loader:
            opt.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")
