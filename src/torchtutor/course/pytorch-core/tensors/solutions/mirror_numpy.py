"""Mirror NumPy: reference solution."""

import numpy as np
import torch

table_np = np.array([[1.5, 2.0], [0.25, 4.0]])  # NumPy's default dtype: float64

zeros = torch.zeros(3, 4)                      # sizes as separate arguments
ones = torch.ones(5)
noise = torch.randn(2, 3)
counts = torch.tensor([[1, 2], [3, 4]])        # Python ints -> int64
weights = torch.tensor([0.5, -1.0, 2.0])       # Python floats -> float32
table = torch.from_numpy(table_np).float()     # float64 -> float32 (this copies)
