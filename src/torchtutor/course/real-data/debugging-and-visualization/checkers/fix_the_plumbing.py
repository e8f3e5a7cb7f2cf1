"""Checker for debugging-and-visualization/fix-the-plumbing: the model must map [B, 1, 28, 28] to [B, 10] through a
128-unit hidden layer."""

import torch
import torch.nn as nn
from torchinfo import summary

from torchtutor.checks import describe, fail, known

PLUMBING = known("shape-mismatch")


def check(ex):
    model = ex.call("make_model")
    if not isinstance(model, nn.Module):
        fail(f"`make_model()` should return the model, but it returned {describe(model)}.", failure="wrong-type")
    for batch in (64, 3):
        out = ex.call(model, torch.zeros(batch, 1, 28, 28), errors=[PLUMBING],
                      doing=f"Calling the model on a batch of {batch} images [{batch}, 1, 28, 28]")
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (batch, 10):
            fail(f"For a batch of {batch} images the model returned {describe(out)}; it should return [{batch}, 10], "
                 "ten scores per image.",
                 "Keep nn.Flatten first, so that every image becomes one row of 784 values.", failure="wrong-shape")
    stats = summary(model, input_size=(2, 1, 28, 28), verbose=0)
    linears = [layer for layer in stats.summary_list if layer.class_name == "Linear"]
    if not linears or list(linears[0].output_size) != [2, 128]:
        got = list(linears[0].output_size)[1:] if linears else "none"
        fail(f"The hidden layer should have 128 units; the first Linear outputs {got}.",
             "Only the input size of the first Linear was wrong; keep its 128 outputs.", failure="wrong-hidden")
    return (f"The pipes fit: [B, 1, 28, 28] -> [B, 784] -> [B, 128] -> [B, 10], {stats.total_params:,} parameters. "
            "One number was wrong, and the error message named it.")
