"""Gradient underflow in float16                                          (guided)

A gradient of 1e-8 is small but real: it says which way a weight should move.
Follow it through the precisions of the lesson and rescue it the way GradScaler
does. Fill in each name below; run the file to see your values.

1. `in_float16`: `gradient` stored as a float16 tensor.
2. `in_bfloat16`: `gradient` stored as a bfloat16 tensor.
3. `scaled_in_float16`: loss scaling. Multiply `gradient` by SCALE while it is
   still float32, then store the result in float16.
4. `recovered`: `scaled_in_float16` turned back into float32, with the scale
   divided away. It should be (very nearly) 1e-8 again.
5. `float16_needs_scaling` and `bfloat16_needs_scaling`: True or False. Does
   a gradient this small need loss scaling to survive in that dtype?

Done when: each name holds the value the lesson's rules give; the checker
compares them with what PyTorch computes and names the step that went wrong.
"""

import torch

gradient = torch.tensor(1e-8)   # float32
SCALE = 2.0 ** 16               # 65,536: GradScaler's usual starting scale

in_float16 = None               # your code here
in_bfloat16 = None              # your code here

scaled_in_float16 = None        # your code here
recovered = None                # your code here

float16_needs_scaling = None    # True or False
bfloat16_needs_scaling = None   # True or False

if __name__ == "__main__":
    for name in ("in_float16", "in_bfloat16", "scaled_in_float16", "recovered"):
        value = globals()[name]
        print(f"{name:18} {value if value is None else (value.item(), value.dtype)}")
