"""Mirror NumPy: make the same tensors in PyTorch  (level: guided)

Each name below comes with the NumPy call you would have written in Series 1.
Replace each `None` with the PyTorch call that makes the same thing.

    zeros    np.zeros((3, 4))             a 3 x 4 grid of zeros
    ones     np.ones(5)                   five ones
    noise    np.random.randn(2, 3)        2 x 3 draws from the standard normal
    counts   np.array([[1, 2], [3, 4]])   a 2 x 2 table of whole numbers
    weights  np.array([0.5, -1.0, 2.0])   three weights
    table    table_np (given below)       the same numbers, as a tensor

Two rules on top of "same shape, same numbers":

- Floating-point tensors should be float32, PyTorch's default, even where NumPy
  would have made float64. That includes `table`, which starts life as float64.
- `counts` holds whole numbers, so it stays an integer tensor (int64), as NumPy's is.

What the checker looks at: the six names, each compared for type (a torch.Tensor),
shape, dtype and values (for `noise`, whose numbers are random: shape, dtype and
that they look like standard-normal draws).

Run `torchtutor check` (or just save the file while `torchtutor watch` runs).
"""

import numpy as np
import torch

table_np = np.array([[1.5, 2.0], [0.25, 4.0]])  # NumPy's default dtype: float64

zeros = None     # your code here
ones = None      # your code here
noise = None     # your code here
counts = None    # your code here
weights = None   # your code here
table = None     # your code here: start from table_np
