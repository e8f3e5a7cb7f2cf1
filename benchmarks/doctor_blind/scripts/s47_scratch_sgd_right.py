"""Logistic regression from scratch with a manual SGD update done right."""
import torch


def main():
    torch.manual_seed(0)
    X = torch.randn(800, 5)
    w_true = torch.tensor([1.5, -2.0, 0.0, 0.7, 0.0])
    y = (torch.sigmoid(X @ w_true + 0.3) > torch.rand(800)).float()

    w = torch.zeros(5, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.5
    for epoch in range(8):
        perm = torch.randperm(800)
        for i in range(0, 800, 80):
            idx = perm[i:i + 80]
            logits = X[idx] @ w + b
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y[idx])
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        with torch.no_grad():
            acc = ((X @ w + b > 0).float() == y).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.4f} acc {acc:.3f}")
    print("w:", [round(v, 2) for v in w.detach().tolist()])


if __name__ == "__main__":
    main()
