"""Checker for nn-module/skip-connection."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, describe, expect_tensor, fail

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


LAYOUT = "self.linear = nn.Linear(features, features)"


def check(ex):
    cls = nnc.module_class(ex, "SkipBlock")
    block = nnc.instantiate(ex, "SkipBlock", 4, starter="SkipBlock's __init__ does nothing yet.")
    torch.manual_seed(0)
    x = torch.randn(6, 4) * 2
    if isinstance(block, nn.Sequential):
        fail("SkipBlock subclasses nn.Sequential, but a Sequential cannot add its input back: each brick sees only "
             "the previous brick's output.",
             "Subclass nn.Module and write forward yourself, keeping x in a variable so you can add it at the end.",
             misconceptions=["sequential-fits-every-model"], failure="sequential-fits-every-model")
    nnc.expect_registered(ex, block, x, "SkipBlock(4)", 4 * 4 + 4, LAYOUT)
    linear = getattr(block, "linear", None)
    if not isinstance(linear, nn.Linear):
        names = ", ".join(f"self.{n}" for n, _ in block.named_children()) or "none"
        fail(f"SkipBlock has no nn.Linear called `self.linear` (its layers: {names}).",
             f"The checker reads the layer by name: {LAYOUT}.", failure="missing-layer")
    with torch.no_grad():
        out = nnc.call_model(ex, block, x, "SkipBlock(4)(x)")
        if out is None:
            fail("SkipBlock.forward returns None: return self.linear(torch.relu(x)) + x.", failure="placeholder")
        W, b = linear.weight, linear.bias
        lin = lambda t: t @ W.T + b  # noqa: E731
        expected = lin(torch.relu(x)) + x
        expect_tensor(out, expected, name="SkipBlock(4)(x)", wrong=[
            Wrong("SkipBlock leaves out the skip: it returns self.linear(relu(x)) without adding x back.",
                  value=lin(torch.relu(x)), failure="missing-skip",
                  details=["The skip connection is the `+ x`: the input reaches the output around the layer as "
                           "well as through it."]),
            Wrong("SkipBlock applies the ReLU after the linear layer: relu(linear(x)) + x. This block applies it "
                  "before: linear(relu(x)) + x.", value=torch.relu(lin(x)) + x, failure="skip-order"),
            Wrong("SkipBlock has no ReLU: linear(x) + x is a purely linear block, and a stack of them collapses "
                  "into one linear map.", value=lin(x) + x, misconceptions=["stacking-linears-adds-power"],
                  failure="stacking-linears-adds-power"),
            Wrong("SkipBlock applies a ReLU to the sum as well: relu(linear(relu(x)) + x). The task's block returns "
                  "the sum as it is.", value=torch.relu(lin(torch.relu(x)) + x), failure="skip-order"),
            Wrong("SkipBlock adds back relu(x) instead of x: the skip route must carry the input unchanged.",
                  value=lin(torch.relu(x)) + torch.relu(x), failure="missing-skip"),
        ])

    fn = ex.get("stack_blocks")
    if not callable(fn):
        fail("`stack_blocks` should be a function: def stack_blocks(features, n): ...", failure="not-callable")
    tower = nnc.call(ex, "Calling `stack_blocks(4, 3)`", fn, 4, 3,
                     errors=[nnc.sequential_given_list("stack_blocks", "blocks")])
    if tower is None:
        fail("stack_blocks returns None: build and return an nn.Sequential of SkipBlocks.", failure="placeholder")
    if not isinstance(tower, nn.Sequential):
        fail(f"stack_blocks(4, 3) should return an nn.Sequential, but it returns {describe(tower)}.",
             "nn.Sequential(*[...]) turns a list of blocks into a tower.", failure="not-sequential")
    bricks = list(tower)
    if len(bricks) != 3 or not all(isinstance(m, cls) for m in bricks):
        kinds = ", ".join(type(m).__name__ for m in bricks) or "nothing"
        fail(f"stack_blocks(4, 3) should hold exactly three SkipBlocks, but it holds: {kinds}.",
             failure="wrong-bricks")
    distinct = {id(m) for m in bricks}
    if len(distinct) < len(bricks):
        fail(f"stack_blocks(4, 3) repeats the same SkipBlock object: {len(bricks)} positions, {len(distinct)} "
             f"block(s), so only {sum(p.numel() for p in tower.parameters())} numbers instead of 60.",
             "[SkipBlock(f)] * n builds ONE block and puts it in the list n times: one set of parameters, shared by "
             "every position. Create a new block for each position: [SkipBlock(f) for _ in range(n)].",
             misconceptions=["shared-layer-copies-weights"], failure="shared-layer-copies-weights")
    total = sum(p.numel() for p in tower.parameters())
    if total != 60:
        fail(f"stack_blocks(4, 3) holds {total} learnable numbers; three SkipBlock(4)s hold 3 x 20 = 60.",
             failure="wrong-parameter-count")
    with torch.no_grad():
        got = nnc.call_model(ex, tower, x, "stack_blocks(4, 3)(x)")
        h = x
        for m in bricks:
            h = m.linear(torch.relu(h)) + h
    expect_tensor(got, h, name="stack_blocks(4, 3)(x)")
    return ("SkipBlock returns linear(relu(x)) + x, a route around the layer that nn.Sequential cannot express; "
            "three separate blocks then stack into an ordinary tower of 60 numbers.")
