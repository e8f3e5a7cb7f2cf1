"""A small end-to-end pipeline: custom Dataset over channels-last images, a CNN with batch norm,
validation with early stopping, a checkpoint dict, and a resumed second run. The tests plant one
mistake at a time into a copy of it."""
import os
import tempfile

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class Shapes(Dataset):
    """Channels-last 12x12 RGB images; the label says which colour channel is brightest."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.images = torch.rand(n, 12, 12, 3, generator=g) * 0.5        # [N, H, W, C]
        self.labels = torch.randint(0, 3, (n,), generator=g)
        self.images[torch.arange(n), :, :, self.labels] += 0.5

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        image = self.images[i].permute(2, 0, 1)                          # -> [C, H, W]
        return image, self.labels[i]


class SmallCNN(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(16, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def run_epoch(model, loader, criterion, optimizer):
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count


def evaluate(model, loader, criterion):
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += criterion(logits, labels).item() * len(labels)
            correct += (logits.argmax(1) == labels).sum().item()
    return total_loss / len(loader.dataset), correct / len(loader.dataset)


def main():
    torch.manual_seed(0)
    train_loader = DataLoader(Shapes(480, 0), batch_size=32, shuffle=True)
    val_loader = DataLoader(Shapes(160, 1), batch_size=80)
    model = SmallCNN()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    ckpt_path = os.path.join(tempfile.mkdtemp(), "best.pt")
    best, patience, bad_epochs = float("inf"), 2, 0
    for epoch in range(4):
        train_loss = run_epoch(model, train_loader, criterion, optimizer)
        val_loss, val_acc = evaluate(model, val_loader, criterion)
        print(f"epoch {epoch}: train {train_loss:.3f} val {val_loss:.3f} acc {val_acc:.1%}")
        if val_loss < best:
            best, bad_epochs = val_loss, 0
            torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "val_loss": val_loss}, ckpt_path)
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break

    # resume from the best checkpoint and train two more epochs
    checkpoint = torch.load(ckpt_path)
    model = SmallCNN()
    model.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    optimizer.load_state_dict(checkpoint["optimizer"])
    for epoch in range(checkpoint["epoch"] + 1, checkpoint["epoch"] + 3):
        train_loss = run_epoch(model, train_loader, criterion, optimizer)
        print(f"resumed epoch {epoch}: train {train_loss:.3f} val acc {evaluate(model, val_loader, criterion)[1]:.1%}")


if __name__ == "__main__":
    main()
