"""What every detector shares: the base class, the records of models and optimizers that
the hub keeps, and small helpers that read tensors and autograd graphs."""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import TYPE_CHECKING, Any

import torch
import torch.nn as nn

from ..catalogue import message
from ..findings import INFO, WARNING, Finding, Location, fmt, is_user_file  # noqa: F401 - fmt is re-exported for the detectors

if TYPE_CHECKING:  # pragma: no cover
    from ..probe import Probe

__all__ = ["Detector", "ModelRecord", "OptRecord", "INFO", "WARNING", "Location", "Finding", "message"]

MODULE_PY = nn.Module._call_impl.__code__.co_filename
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
DROPOUT = (nn.modules.dropout._DropoutNd,)
BATCHNORM = (nn.modules.batchnorm._BatchNorm,)

# grad_fn names (without the trailing version digit) that only move or copy values
SHAPE_ONLY = {
    "ViewBackward", "ReshapeAliasBackward", "UnsafeViewBackward", "CloneBackward", "ToCopyBackward",
    "SqueezeBackward", "UnsqueezeBackward", "ExpandBackward", "AliasBackward", "PermuteBackward",
    "TransposeBackward", "TBackward", "SliceBackward", "SelectBackward",
}

CLASSIFICATION_LOSSES = ("cross_entropy", "nll_loss")
ELEMENTWISE_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                      "binary_cross_entropy_with_logits")
LOSS_LABEL = {
    "cross_entropy": "CrossEntropyLoss", "nll_loss": "NLLLoss", "mse_loss": "MSELoss", "l1_loss": "L1Loss",
    "smooth_l1_loss": "SmoothL1Loss", "huber_loss": "HuberLoss", "binary_cross_entropy": "BCELoss",
    "binary_cross_entropy_with_logits": "BCEWithLogitsLoss",
}


class Detector:
    """One family of mistakes: its hooks (``on_*`` methods the hub calls), its evidence, its
    decision (``finish``, and ``settle`` once every detector has finished) and its ids."""

    #: catalogue ids this detector reports
    ids: tuple[str, ...] = ()

    def __init__(self, hub: "Probe"):
        self.hub = hub

    def report(self, mid: str, severity: str, variant: str, location: Location | None, key: Any = None,
               evidence: dict | None = None, fix: str = "", cause: Location | None = None, **fields: Any) -> Finding:
        """A finding whose message is the catalogue's text ``variant`` filled with ``fields``;
        ``cause`` is the line that made the problem when it is not the line where it was seen."""
        f = self.hub.add(mid, severity, message(mid, variant, **fields), evidence, location, key=key, fix=fix)
        if cause is not None and f.cause is None:
            f.cause = cause
        return f

    def crash_context(self, ctx: dict[str, Any]) -> None:
        """Add what this detector knows to the context used to explain a crash."""

    def finish(self, obs: dict[str, Any]) -> None:
        """Decide, from the evidence gathered, which findings to report; fill ``obs``."""

    def settle(self, obs: dict[str, Any]) -> None:
        """Runs after every detector finished (a symptom detector looks for causes here)."""


class ModelRecord:
    """A top-level module call site: the model the user trains or evaluates."""

    __slots__ = ("module", "name", "index", "names", "pnames", "order", "order_ids", "calls", "grad_calls",
                 "first_input", "first_loc", "first_param", "input_shapes", "loaded")

    def __init__(self, module: nn.Module, index: int):
        self.module = module
        self.name = type(module).__name__
        self.index = index
        self.names = {id(sub): (qn or self.name) for qn, sub in module.named_modules()}
        self.pnames = {id(p): qn for qn, p in module.named_parameters()}
        self.order: list[str] = []
        self.order_ids: set[int] = set()
        self.calls = 0
        self.grad_calls = 0
        self.first_input: list[torch.Tensor] | None = None
        self.first_loc: Location | None = None
        self.first_param = next(module.parameters(), None)
        self.input_shapes: list[list[int]] = []
        self.loaded = False


class OptRecord:
    """An optimizer and the ticks of its last clear and step."""

    __slots__ = ("opt", "cls", "loc", "steps", "last_zero_tick", "last_step_tick", "sig", "ids")

    def __init__(self, opt, loc):
        self.opt = opt
        self.cls = type(opt).__name__
        self.loc = loc
        self.steps = 0
        self.last_zero_tick = 0
        self.last_step_tick = 0
        self.sig: tuple | None = None
        self.ids: set[int] = set()

    def param_ids(self) -> set[int]:
        groups = self.opt.param_groups
        sig = (len(groups), sum(len(g["params"]) for g in groups))
        if sig != self.sig:
            self.sig = sig
            self.ids = {id(p) for g in groups for p in g["params"]}
        return self.ids


# --------------------------------------------------------------------------- helpers
def base_name(name: str) -> str:
    return name.rstrip("0123456789")


def first_tensor(obj: Any) -> torch.Tensor | None:
    """The first dense (strided) tensor in ``obj``: a sparse tensor (a graph's adjacency
    matrix) has no strides to slice or view, so the probe reads dense tensors only."""
    if isinstance(obj, torch.Tensor):
        return obj if dense(obj) else None
    if isinstance(obj, (tuple, list)):
        for item in obj:
            if isinstance(item, torch.Tensor) and dense(item):
                return item
    if isinstance(obj, dict):
        for item in obj.values():
            if isinstance(item, torch.Tensor) and dense(item):
                return item
    return None


def dense(t: torch.Tensor) -> bool:
    """A strided tensor (not sparse, not nested, not quantized): one the probe may slice and reduce."""
    return t.layout == torch.strided and not t.is_nested and not t.is_quantized


def shape(t: torch.Tensor) -> list[int]:
    return [int(d) for d in t.shape]


def dtype(t: torch.Tensor) -> str:
    return str(t.dtype).replace("torch.", "")


def names_list(names: list[str], limit: int) -> str:
    return ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")


def caller_frame() -> FrameType | None:
    """The first frame outside this package and outside ``nn.Module``'s call machinery: the
    code that called the module, the tensor method or the torch function being watched."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name != MODULE_PY and not name.startswith(_PACKAGE_DIR):
            return frame
        frame = frame.f_back
    return None


def caller_location() -> Location | None:
    """Where the watched call came from, when that is the user's own code (else None)."""
    frame = caller_frame()
    if frame is None or not is_user_file(frame.f_code.co_filename):
        return None
    return Location(frame.f_code.co_filename, frame.f_lineno)


def classification_batch(name: str, x: torch.Tensor, t: torch.Tensor) -> bool:
    """A classification loss on [N, C] scores against [N] integer labels."""
    return (name in CLASSIFICATION_LOSSES and x.dim() == 2 and t.dim() == 1
            and t.dtype in (torch.int64, torch.uint8) and x.shape[0] == t.shape[0] and x.device.type != "meta")


#: grad_fn metadata key: where in the user's code the op or layer that made a tensor ran.
MADE_AT = "torchtutor.made_at"


def made_at(fn: Any) -> Location | None:
    """The user's line recorded on a graph node by the probe, if any."""
    try:
        return fn.metadata.get(MADE_AT) if fn is not None else None
    except Exception:
        return None

