"""Per-row statistics, no loops  (level: independent)

X is a batch of shape (N, F): N samples (rows), F features (columns). Write two
functions that treat each row on its own, using reductions along the right
dimension and broadcasting, with no Python loops:

1. `center_rows(X)`: subtract each row's mean from that row, so that every row
   of the result has mean 0.
2. `scale_rows(X)`: divide each row by its largest value, so that every row's
   maximum becomes 1. (You may assume every row's maximum is positive.)

Both return a tensor of the same shape as X.

What the checker does: runs both functions on a square X (where a reduction
along the wrong axis still "works" and silently gives wrong numbers) and on a
non-square one, and compares with the right answers.
"""

import torch


def center_rows(X):
    return None  # your code here


def scale_rows(X):
    return None  # your code here
