"""Large effective batch on a small memory budget: gradient accumulation."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--micro-batch", type=int, default=16)
    parser.add_argument("--accum-steps", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x = torch.randn(2048, 24)
    y = (x[:, :8].sum(1) > 0).long() + (x[:, 8:12].sum(1) > 1).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=args.micro_batch, shuffle=True)

    model = nn.Sequential(nn.Linear(24, 96), nn.GELU(), nn.Linear(96, 96), nn.GELU(), nn.Linear(96, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)

    for epoch in range(args.epochs):
        model.train()
        optimizer.zero_grad()
        running = 0.0
        for i, (xb, yb) in enumerate(loader):
            loss = criterion(model(xb), yb) / args.accum_steps
            loss.backward()
            running += loss.item()
            if (i + 1) % args.accum_steps == 0 or (i + 1) == len(loader):
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
        print(f"epoch {epoch}: loss {running * args.accum_steps / len(loader):.4f}")


if __name__ == "__main__":
    main()
