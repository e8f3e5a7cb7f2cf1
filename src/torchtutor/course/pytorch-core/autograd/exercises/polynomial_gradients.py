"""Polynomial gradients  (level: guided)

Let autograd do the differentiating.

1. `poly_grad(x_value)` returns dp/dx at x = x_value for

       p(x) = 3x^3 - 4x^2 + 2x - 7

   Make x a tensor that records, build p from it with ordinary arithmetic,
   call backward() on p, and return the gradient from where autograd stores it.
   (By hand, p'(x) = 9x^2 - 8x + 2. Use that to check yourself, not as your answer.)
   x_value is a plain Python number, and it may be a whole number such as 2.

2. `pair_grads(a_value, b_value)` returns the pair (dq/da, dq/db) for

       q(a, b) = a^2 * b + b^3

   from a single backward() call. Again, the values may be whole numbers.

Return plain floats (x.grad.item()) or one-element tensors; both are accepted.

Done when: the checker calls both functions at several points, calls each twice
at the same point (the second call must give the same answer as the first),
passes whole numbers, and finds backward() in your code doing the work.

Run this file (python polynomial_gradients.py) to print your answers at x = 2
and at (a, b) = (1, 2).
"""

import torch


def poly_grad(x_value):
    x = None  # your code here: a float tensor holding x_value that records
    p = None  # your code here: 3x^3 - 4x^2 + 2x - 7, built from x
    # your code here: rewind from p
    return None  # your code here: the gradient autograd stored


def pair_grads(a_value, b_value):
    return None  # your code here: (dq/da, dq/db)


if __name__ == "__main__":
    print("dp/dx at 2:", poly_grad(2))
    print("(dq/da, dq/db) at (1, 2):", pair_grads(1, 2))
