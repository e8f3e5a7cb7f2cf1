"""Transfer learning: train the head with the backbone frozen, then unfreeze it."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())

    def forward(self, x):
        return self.layers(x)


class Model(nn.Module):
    def __init__(self, backbone, n_classes):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.head(self.backbone(x))


def set_trainable(module, flag):
    for p in module.parameters():
        p.requires_grad = flag


def run(model, loader, optimizer, criterion, epochs, tag):
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"[{tag}] epoch {epoch}: {loss.item():.4f}")


def main():
    torch.manual_seed(0)
    x = torch.randn(1500, 32)
    y = (x[:, :4].sum(1) > 0).long() + (x[:, 4:8].sum(1) > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True)
    criterion = nn.CrossEntropyLoss()

    model = Model(Backbone(), n_classes=3)
    # stage 1: only the new head learns
    set_trainable(model.backbone, False)
    optimizer = torch.optim.Adam(model.head.parameters(), lr=3e-3)
    run(model, loader, optimizer, criterion, 2, "head only")

    # stage 2: unfreeze the backbone with a smaller learning rate
    set_trainable(model.backbone, True)
    optimizer.add_param_group({"params": model.backbone.parameters(), "lr": 3e-4})
    run(model, loader, optimizer, criterion, 3, "full")


if __name__ == "__main__":
    main()
