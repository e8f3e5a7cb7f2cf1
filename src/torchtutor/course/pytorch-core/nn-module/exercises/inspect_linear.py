"""Inspect an nn.Linear layer                                             (guided)

`nn.Linear(in_features, out_features)` is a layer of `out_features` neurons, each of
which reads `in_features` inputs. Build one and read its anatomy off the object:
predict each answer first, then let the code confirm it.

1. `layer`: an nn.Linear that takes 6 input features and produces 4 outputs.
2. `weight_shape`: the shape of `layer.weight`, as a tuple such as (2, 3).
3. `bias_shape`: the shape of `layer.bias`, as a tuple.
4. `n_params`: how many learnable numbers the layer holds, weights and biases
   together. Count them through `layer.parameters()` rather than typing a number.
5. `is_parameter`: whether `layer.weight` is an `nn.Parameter` (use isinstance).
6. `records`: whether `layer.weight` records operations for autograd.

Done when: the checker reads layer, weight_shape, bias_shape, n_params, is_parameter
and records, and all six agree with a real nn.Linear(6, 4).
"""

import torch
import torch.nn as nn

layer = None          # your code here: an nn.Linear with 6 inputs and 4 outputs

weight_shape = None   # your code here
bias_shape = None     # your code here
n_params = None       # your code here: count with layer.parameters()
is_parameter = None   # your code here
records = None        # your code here

if __name__ == "__main__":
    print(layer)
    print("weight", weight_shape, "bias", bias_shape, "numbers", n_params)
