"""Linear regression from scratch with autograd (no nn.Module)."""
import torch


def main():
    torch.manual_seed(0)
    X = torch.randn(500, 3)
    true_w = torch.tensor([[2.0], [-3.4], [1.2]])
    y = X @ true_w + 4.2 + 0.01 * torch.randn(500, 1)

    w = torch.normal(0, 0.01, size=(3, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.03

    for epoch in range(5):
        for i in range(0, 500, 50):
            xb, yb = X[i:i + 50], y[i:i + 50]
            loss = ((xb @ w + b - yb) ** 2).mean()
            loss.backward()
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        print(f"epoch {epoch}: loss {loss.item():.5f}")
    print("w:", w.detach().flatten().tolist(), "b:", b.item())


if __name__ == "__main__":
    main()
