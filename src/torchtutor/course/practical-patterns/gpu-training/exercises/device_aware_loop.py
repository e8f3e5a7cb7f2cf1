"""The device-aware loop: three lines                                   (supported)

`train` below is a correct training loop for the CPU. Make it device-aware:
it receives a `device` and must train the model there. The lesson's loop needs
three lines for that; keep everything else as it is, including the return
value (one loss per batch, as Python floats).

Remember the order from the lesson: the model goes to the device before the
optimizer is built, and `.to()` on a tensor returns a moved copy.

What the checker does, even without a GPU:
- it trains a fresh model with your `train` on the CPU and checks that it
  learns (the losses fall, and the model classifies its data well);
- it calls your `train` again with device = "meta", the lesson's stand-in for
  a GPU, on a model that starts on the CPU and a DataLoader that yields CPU
  batches, as a real one does; it watches where the model's parameters, every
  batch and every loss end up, and which parameters the optimizer updates.
  (A meta tensor has no numbers, so `.item()` on it gives 0.0 there.)
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def train(model, loader, device, epochs=3, lr=0.01):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(epochs):
        model.train()
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


if __name__ == "__main__":
    torch.manual_seed(0)
    X = torch.randn(300, 10)
    y = (X[:, 0] + X[:, 1] > 0).long()
    loader = DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    losses = train(model, loader, device)
    print(f"first loss {losses[0]:.3f}, last loss {losses[-1]:.3f}")
