# Source: pytorch/examples, regression/main.py, as of commit a4b0aba (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (fit a random
# degree-4 polynomial with one nn.Linear, fc.zero_grad(), smooth_l1_loss, a hand-written update
# through param.data, stop when the loss is below 1e-3); no code was copied.
# Changes: a seed, and a cap of 2000 batches on the otherwise unbounded loop (it stops earlier).
import torch
import torch.nn.functional as F

torch.manual_seed(0)
DEGREE = 4
W_true = torch.randn(DEGREE, 1) * 5
b_true = torch.randn(1) * 5


def features(x):
    x = x.unsqueeze(1)
    return torch.cat([x ** k for k in range(1, DEGREE + 1)], 1)


def batch(size=32):
    x = features(torch.randn(size))
    return x, x.mm(W_true) + b_true.item()


fc = torch.nn.Linear(DEGREE, 1)
for step in range(1, 2001):
    x, y = batch()
    fc.zero_grad()
    out = F.smooth_l1_loss(fc(x), y)
    loss = out.item()
    out.backward()
    for p in fc.parameters():
        p.data.add_(-0.1 * p.grad)
    if loss < 1e-3:
        break
print(f"Loss: {loss:.6f} after {step} batches")
print("learned", fc.weight.view(-1).tolist(), fc.bias.item())
print("actual ", W_true.view(-1).tolist(), b_true.item())
