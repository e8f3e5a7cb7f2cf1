"""One function per phase: data, model, train, evaluate, report."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class BlobDataset(Dataset):
    def __init__(self, n, n_features=16, n_classes=5, seed=0):
        centers = torch.randn(n_classes, n_features,
                              generator=torch.Generator().manual_seed(1234))
        g = torch.Generator().manual_seed(seed)
        self.y = torch.randint(0, n_classes, (n,), generator=g)
        self.x = centers[self.y] + torch.randn(n, n_features, generator=g)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def get_loaders():
    train = DataLoader(BlobDataset(2000, seed=1), batch_size=50, shuffle=True)
    test = DataLoader(BlobDataset(500, seed=2), batch_size=100)
    return train, test


def get_model():
    return nn.Sequential(
        nn.Linear(16, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 5),
    )


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    running = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        out = model(x)
        loss = criterion(out, y)
        loss.backward()
        optimizer.step()
        running += loss.item()
    return running / len(loader)


def evaluate(model, loader, criterion):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        out = model(x)
        total_loss += criterion(out, y).item() * len(y)
        correct += (out.argmax(1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen


def report(history):
    for i, (tl, vl, acc) in enumerate(history):
        print(f"epoch {i}: train {tl:.3f}  val {vl:.3f}  acc {acc:.3f}")


def main():
    torch.manual_seed(0)
    train_loader, test_loader = get_loaders()
    model = get_model()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    history = []
    for _ in range(5):
        tl = train_one_epoch(model, train_loader, criterion, optimizer)
        vl, acc = evaluate(model, test_loader, criterion)
        history.append((tl, vl, acc))
    report(history)


main()
