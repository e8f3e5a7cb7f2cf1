"""A skip-connection block, and a tower of them                     (independent)

1. Write a class `SkipBlock(features)`, an nn.Module holding one layer,
   `self.linear = nn.Linear(features, features)`. Its forward returns
   self.linear(relu(x)) + x: the input goes through a ReLU and the layer, and is
   also added back unchanged, around the layer.

2. Write `stack_blocks(features, n)`, which returns an nn.Sequential of n SkipBlocks,
   one after another, each with its own parameters.

A single block is a custom assembly that nn.Sequential cannot express; a tower of
such blocks is an ordinary straight tower again.

Done when: SkipBlock(4) registers 20 numbers and computes linear(relu(x)) + x, and
stack_blocks(4, 3) is a Sequential of three SkipBlocks with three separate sets of
parameters.
"""

import torch
import torch.nn as nn

# your code here: class SkipBlock


def stack_blocks(features, n):
    return None  # your code here
