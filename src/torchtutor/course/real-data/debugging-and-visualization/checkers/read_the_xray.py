"""Checker for debugging-and-visualization/read-the-xray: the answers must be what torchinfo reports for the learner's
own model."""

import torch.nn as nn
from torchinfo import summary

from torchtutor.checks import Expect, Wrong, describe, fail


def check(ex):
    model = ex.get("model")
    if not isinstance(model, nn.Module):
        fail(f"`model` should stay the exercise's nn.Module, but it is {describe(model)}.", failure="wrong-type")
    stats = summary(model, input_size=(32, 1, 28, 28), verbose=0)
    layers = stats.summary_list[1:]
    counts = [layer.num_params for layer in layers]
    biggest = max(range(len(layers)), key=lambda i: counts[i])
    hidden = list(layers[4].output_size)
    learner_stats = ex.get("stats")
    if not hasattr(learner_stats, "total_params"):
        fail(f"`stats` should be what torchinfo.summary returns (a ModelStatistics), but it is "
             f"{describe(learner_stats)}.", "stats = summary(model, input_size=(32, 1, 28, 28), verbose=0).",
             failure="wrong-type")
    ex.expect(
        Expect("total_params", stats.total_params, wrong=[
            Wrong(f"`total_params` is {counts[biggest]}, the parameters of one layer. The model holds "
                  f"{stats.total_params}: add every layer's.", value=counts[biggest], failure="one-layer-params"),
        ]),
        Expect("biggest_layer", biggest, wrong=[
            Wrong(f"`biggest_layer` is {biggest + 1}: that is its position in summary_list, where [0] is the Sequential "
                  f"itself. In `model` the layer is model[{biggest}].", value=biggest + 1, failure="off-by-one-layer"),
        ]),
        Expect("hidden_shape", hidden, wrong=[
            Wrong(f"`hidden_shape` leaves out the batch: model[4] outputs {hidden}, 32 images of {hidden[1]} values.",
                  when=lambda v: list(v) == hidden[1:], failure="no-batch-dim"),
            Wrong("`hidden_shape` is the output of another layer: summary_list[0] is the Sequential, so model[4] is "
                  "summary_list[5].", when=lambda v: list(v) == list(layers[3].output_size)
                  or list(v) == list(layers[5].output_size) and list(v) != hidden, failure="off-by-one-layer"),
        ]),
    )
    return (f"X-rayed: {stats.total_params:,} parameters, {counts[biggest]:,} of them in model[{biggest}], and model[4] "
            f"outputs {hidden}.")
