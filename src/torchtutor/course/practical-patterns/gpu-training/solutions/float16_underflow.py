"""Gradient underflow in float16: reference solution."""

import torch

gradient = torch.tensor(1e-8)   # float32
SCALE = 2.0 ** 16

in_float16 = gradient.half()                     # rounds to 0: below float16's smallest step
in_bfloat16 = gradient.to(torch.bfloat16)        # survives: bfloat16 has float32's range

scaled_in_float16 = (gradient * SCALE).half()    # scale first, in float32, then store
recovered = scaled_in_float16.float() / SCALE    # back to float32 before dividing

float16_needs_scaling = True
bfloat16_needs_scaling = False
