"""Train a classifier, then predict labels for an unlabelled batch and export them."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def build():
    return nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 3))


def train(model, loader, epochs=4):
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    crit = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: {loss.item():.3f}")


def predict(model, inputs, batch_size=256):
    model.eval()
    preds = []
    for i in range(0, len(inputs), batch_size):
        logits = model(inputs[i:i + batch_size])
        preds.append(logits.argmax(1).detach())
    return torch.cat(preds)


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(2000, 12)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    model = build()
    train(model, DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True))
    unlabelled = torch.randn(3000, 12)
    labels = predict(model, unlabelled)
    print("predicted class counts:", torch.bincount(labels, minlength=3).tolist())
