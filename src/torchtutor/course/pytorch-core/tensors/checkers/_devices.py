"""The GPU stand-in shared by the tensors checkers (not a checker itself: it has no check()).

The checkers play a GPU with PyTorch's "meta" device: tensors with a shape and a dtype but
no data, so that code that forgets to move a tensor fails on a machine without a GPU too.
Checkers import it as ``import _devices``: the harness puts the checker's folder on the
import path while it loads a checker.
"""

import torch

from torchtutor.checks import describe, fail

STAND_IN = "meta"


def expect_on_stand_in(value, returned: str, summary: str, *details: str) -> None:
    """Fail unless ``value`` is a tensor on the GPU stand-in.

    ``returned`` opens the not-a-tensor verdict ("With device 'meta', `X` came back as");
    ``summary`` (with ``{device}`` for where the tensor is) and ``details`` explain a tensor
    left on another device."""
    if not isinstance(value, torch.Tensor):
        fail(f"{returned} {describe(value)}, not a tensor.", failure="not-a-tensor")
    if value.device.type != STAND_IN:
        fail(summary.format(device=value.device), *details,
             misconceptions=["devices-mix-automatically"], failure="device-mismatch")
