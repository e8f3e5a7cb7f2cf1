"""Checker for nn-module/inspect-linear."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

IN, OUT = 6, 4


def _as_shape(value):
    if isinstance(value, int):
        return None
    try:
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        return None


def check(ex):
    layer = ex.get("layer")
    if isinstance(layer, type) and issubclass(layer, nn.Linear):
        fail("`layer` is the class nn.Linear itself, not a layer: call it with the sizes, nn.Linear(6, 4).",
             failure="not-a-layer")
    if not isinstance(layer, nn.Linear):
        fail(f"`layer` should be an nn.Linear layer, but it is {describe(layer)}.",
             "Create it with nn.Linear(in_features, out_features).", failure="not-a-layer")
    if (layer.in_features, layer.out_features) == (OUT, IN):
        fail("`layer` is nn.Linear(4, 6): the two sizes are swapped.",
             "The first argument is in_features (how many inputs each neuron reads, here 6), the second is "
             "out_features (how many neurons, that is outputs, here 4).",
             failure="swapped-in-out")
    if (layer.in_features, layer.out_features) != (IN, OUT):
        fail(f"`layer` is nn.Linear({layer.in_features}, {layer.out_features}), but the task asks for "
             f"6 input features and 4 outputs: nn.Linear(6, 4).", failure="wrong-layer")

    weight_shape = _as_shape(ex.get("weight_shape"))
    if weight_shape == (IN, OUT):
        fail("`weight_shape` is (6, 4), but nn.Linear stores its weight as (out_features, in_features) = (4, 6).",
             "Each row of the weight is one neuron's weights: 4 neurons, so 4 rows of 6. That is why the layer "
             "computes x @ weight.T + bias, with a transpose.",
             "Read it off the layer instead of guessing: tuple(layer.weight.shape).",
             misconceptions=["linear-weight-is-in-by-out"], failure="linear-weight-is-in-by-out")
    if weight_shape != (OUT, IN):
        fail(f"`weight_shape` should be the shape of layer.weight, {(OUT, IN)}, but it is "
             f"{describe(ex.get('weight_shape'))}.", "Use tuple(layer.weight.shape).", failure="wrong-shape")

    raw_bias = ex.get("bias_shape")
    if isinstance(raw_bias, int) and raw_bias == OUT:
        fail("`bias_shape` is the number 4, but a shape is a tuple: (4,).",
             "Use tuple(layer.bias.shape): a 1-D tensor of 4 numbers has shape (4,).", failure="wrong-shape")
    bias_shape = _as_shape(raw_bias)
    if bias_shape != (OUT,):
        fail(f"`bias_shape` should be the shape of layer.bias, (4,): one bias per neuron. It is {describe(raw_bias)}.",
             "Use tuple(layer.bias.shape).", failure="wrong-shape")

    n_params = ex.get("n_params")
    if isinstance(n_params, torch.Tensor) and n_params.numel() == 1:
        n_params = n_params.item()
    right = IN * OUT + OUT
    if n_params == IN * OUT:
        fail("`n_params` is 24: that counts the weights but forgets the 4 biases.",
             "Every neuron has a bias as well as its weights: 6 * 4 + 4 = 28. "
             "sum(p.numel() for p in layer.parameters()) counts both tensors.",
             failure="forgot-bias")
    if n_params == 2:
        fail("`n_params` is 2: that is the number of parameter *tensors* (weight and bias), not of numbers.",
             "Add up the sizes of the tensors: sum(p.numel() for p in layer.parameters()).",
             failure="counted-tensors")
    if n_params == IN + OUT:
        fail("`n_params` is 10 = 6 + 4, but the weight is a 4 x 6 grid, not a 6 + 4 list.",
             "Each of the 4 neurons has 6 weights and 1 bias: 6 * 4 + 4.", failure="counted-tensors")
    if n_params != right:
        fail(f"`n_params` should be {right}, but it is {describe(n_params)}.",
             "Count with sum(p.numel() for p in layer.parameters()).", failure="wrong-value")

    is_parameter = ex.get("is_parameter", placeholder_ok=False)
    if is_parameter is not True:
        fail(f"`is_parameter` should be True: layer.weight is an nn.Parameter. It is {describe(is_parameter)}.",
             "isinstance(layer.weight, nn.Parameter) is True. A Parameter is a tensor with requires_grad=True "
             "that its module registers, so model.parameters() can find it.", failure="wrong-value")
    records = ex.get("records")
    if records is not True:
        fail(f"`records` should be True, but it is {describe(records)}.",
             "A layer's parameters come with requires_grad=True: the Recording is on from the start. "
             "Read it with layer.weight.requires_grad.", failure="wrong-value")
    return ("nn.Linear(6, 4): weight (4, 6), one row per neuron; bias (4,); 6 * 4 + 4 = 28 numbers, held in "
            "Parameters that record from the start.")
