"""Binary classifier with BCEWithLogitsLoss; compact training loop."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    x = torch.randn(1600, 6)
    y = ((x[:, 0] * x[:, 1] + x[:, 2]) > 0).float()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    for epoch in range(5):
        correct = 0
        for xb, yb in loader:
            logits = model(xb).squeeze(1)
            loss = criterion(logits, yb)
            optimizer.step()
            optimizer.zero_grad()
            loss.backward()
            correct += ((logits > 0).float() == yb).sum().item()
        print(f"epoch {epoch}: loss {loss.item():.3f} acc {correct / len(x):.3f}")


if __name__ == "__main__":
    main()
