"""The accumulation trap: reference solution."""

import torch

w = torch.tensor(1.5, requires_grad=True)


def per_example_grads(xs, ys):
    grads = []
    for x, y in zip(xs, ys):
        w.grad = None                  # clear the tape: backward() adds into .grad
        loss = (w * x - y) ** 2
        loss.backward()
        grads.append(w.grad.item())
    return grads


if __name__ == "__main__":
    xs = torch.tensor([1.0, 2.0, 3.0])
    ys = torch.tensor([2.0, 2.0, 4.0])
    print(per_example_grads(xs, ys))
