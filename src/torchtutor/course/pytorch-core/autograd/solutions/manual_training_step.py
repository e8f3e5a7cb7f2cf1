"""A manual training step: reference solution."""

import torch


def train_step(w, b, x, y, lr):
    y_hat = w * x + b                      # 1. forward, with Record on
    loss = ((y_hat - y) ** 2).mean()       #    one number: the mean squared error
    loss.backward()                        # 2. Rewind: fills w.grad and b.grad
    with torch.no_grad():                  # 3. update with Record paused, in place,
        w -= lr * w.grad                   #    so the caller's tensors move and stay leaves
        b -= lr * b.grad
    w.grad.zero_()                         # 4. clear the tape for the next step
    b.grad.zero_()
    return loss.item()                     # a plain number: keeps no graph alive


if __name__ == "__main__":
    x = torch.linspace(-1, 1, 20)
    y = 2 * x + 1
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for step in range(5):
        loss = train_step(w, b, x, y, lr=0.1)
        print(f"step {step}: loss {loss}, w {w.item():.4f}, b {b.item():.4f}")
