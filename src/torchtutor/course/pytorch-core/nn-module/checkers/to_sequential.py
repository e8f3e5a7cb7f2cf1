"""Checker for nn-module/to-sequential."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, expect_tensor, fail, known

import _nn_checks as nnc  # this lesson's shared probes (checkers/_nn_checks.py)


class _Net(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x)))


def check(ex):
    fn = ex.get("to_sequential")
    if not callable(fn):
        fail("`to_sequential` should be a function: def to_sequential(net): ...", failure="not-callable")
    torch.manual_seed(0)
    net = _Net(3, 5, 2)
    errors = [known("relu-class", "relu-function"), nnc.sequential_given_list("to_sequential", "bricks")]
    seq = nnc.call(ex, "Calling `to_sequential(net)`", fn, net, errors=errors)
    if seq is None:
        fail("to_sequential returns None: build and return an nn.Sequential.", failure="placeholder")
    if seq is net or isinstance(seq, _Net):
        fail("to_sequential returns the TwoLayerNet it was given, not a new nn.Sequential.",
             "Build nn.Sequential(...) from the net's layers and return that.", failure="not-sequential")
    if not isinstance(seq, nn.Sequential):
        fail(f"to_sequential should return an nn.Sequential, but it returns {describe(seq)}.",
             "Write return nn.Sequential(brick, brick, brick).", failure="not-sequential")

    pair = nnc.linear_after_linear(seq)
    if pair is not None:
        summary, why, fix = nnc.no_activation_message("to_sequential(net)")
        fail(summary + f" Bricks {pair[0]} and {pair[1]} are linear layers with nothing between them.", why,
             "Put nn.ReLU() between the two linear layers.",
             misconceptions=["stacking-linears-adds-power"], failure="stacking-linears-adds-power")
    bricks = list(seq)
    if bricks and isinstance(bricks[-1], nn.ReLU):
        fail("to_sequential ends with a ReLU after the output layer; TwoLayerNet's output is the linear layer's "
             "result, negative values included.",
             "The ReLU belongs between the two linear layers only: nn.Sequential(hidden, nn.ReLU(), output).",
             failure="relu-on-output")
    if not any(isinstance(m, nn.ReLU) for m in bricks):
        fail("to_sequential has no nn.ReLU() brick, so it cannot compute what TwoLayerNet computes.",
             "TwoLayerNet.forward applies torch.relu between its layers; in a Sequential that is nn.ReLU().",
             failure="missing-relu")

    positions = {id(m): i for i, m in enumerate(bricks)}
    if id(net.hidden) in positions and id(net.output) in positions and positions[id(net.output)] < positions[id(net.hidden)]:
        fail("to_sequential lists net.output before net.hidden: a Sequential runs its bricks in the order given.",
             "The data meets the hidden layer first, then the ReLU, then the output layer, as in TwoLayerNet.forward.",
             failure="wrong-order")

    ours = {id(p) for p in net.parameters()}
    theirs = list(seq.parameters())
    x = torch.randn(7, 3) * 2
    with torch.no_grad():
        want = net(x)
        got = nnc.call_model(ex, seq, x, "to_sequential(net)(x)")
    if not (len(theirs) == 4 and {id(p) for p in theirs} == ours):
        if not {id(p) for p in theirs} & ours:
            fail("to_sequential builds new nn.Linear layers: they start with fresh random weights, so the tower "
                 "does not compute what net computes.",
                 "Reuse the bricks you were given, net.hidden and net.output, so both models hold the same "
                 "parameter objects (and so the same trained weights).",
                 failure="fresh-layers")
        fail(f"to_sequential(net) holds {len(theirs)} parameter tensors, but it should hold exactly net's 4 "
             "(hidden.weight, hidden.bias, output.weight, output.bias).",
             "Use net.hidden, nn.ReLU() and net.output, each once, and nothing else with parameters.",
             failure="wrong-parameter-count")
    expect_tensor(got, want, name="to_sequential(net)(x) compared with net(x)", atol=1e-6)
    return ("nn.Sequential(net.hidden, nn.ReLU(), net.output): the same bricks and the same 4 parameters, "
            "snapped into a tower whose forward() PyTorch writes for you.")
