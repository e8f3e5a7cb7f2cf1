"""Function-per-phase regression script with gradient clipping option."""
import argparse

import torch
import torch.nn as nn


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--clip", type=float, default=0.0)
    return p.parse_args()


def load_data():
    x = torch.linspace(-3, 3, 800).unsqueeze(1)
    y = torch.sin(x) + 0.1 * torch.randn_like(x)
    return x, y


def build_model():
    return nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))


def train_epoch(model, x, y, optimizer, criterion, clip):
    perm = torch.randperm(len(x))
    total = 0.0
    for i in range(0, len(x), 40):
        idx = perm[i:i + 40]
        optimizer.zero_grad()
        loss = criterion(model(x[idx]), y[idx])
        if clip > 0:
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        total += loss.item()
    return total / (len(x) // 40)


def main():
    args = parse()
    torch.manual_seed(0)
    x, y = load_data()
    model = build_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.MSELoss()
    for epoch in range(args.epochs):
        print(f"epoch {epoch}: mse {train_epoch(model, x, y, optimizer, criterion, args.clip):.4f}")


if __name__ == "__main__":
    main()
