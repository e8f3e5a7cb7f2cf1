"""The model and its input: a forward called directly, an input on another device, two
Linear layers with nothing non-linear between them, and layers built inside ``forward()``.

Hooks: the top-level model calls (device of the input), the submodule calls of the first two
calls with gradients on (the Linear chain, read off the autograd graph), ``nn.Module.__init__``
and parameter registration while a forward runs (layers built in forward). At the end it
describes each model (parameters, inputs, torchinfo's table when the doctor asks for it).
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
import torch.nn as nn

from ..findings import user_location
from .base import INFO, SHAPE_ONLY, WARNING, Detector, ModelRecord, base_name, first_tensor, shape

# ... plus the grad_fn names that keep a map linear (dropout scales by a constant mask)
_LINEAR_PASS = SHAPE_ONLY | {"NativeDropoutBackward", "MulBackward"}
#: Layers that compute a linear map of their input.
_LINEAR_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


def _widths(mod: nn.Module) -> tuple[int, int]:
    if isinstance(mod, nn.Linear):
        return mod.in_features, mod.out_features
    return mod.in_channels, mod.out_channels
#: Graph nodes walked back from a Linear's input looking for the previous Linear (shape-only
#: steps such as a view or a dropout sit between them; anything longer is not a plain chain).
LINEAR_CHAIN_DEPTH = 8
#: Forward calls of a model whose input device is compared with its parameters'.
DEVICE_CHECKED_CALLS = 3
#: Parameters of layers built in forward that are remembered (enough to see the optimizer hold them).
BUILT_PARAMS_KEPT = 8
#: Parameter references kept for "was this parameter made inside forward?" before a purge.
FORWARD_PARAMS_KEPT = 4096

_TORCHINFO_NOISE = ("Total mult-adds", "Input size", "Forward/backward pass size", "Params size",
                    "Estimated Total Size")


class _Built:
    __slots__ = ("cls", "loc", "count", "params", "last", "param_refs")

    def __init__(self, cls: str, loc):
        self.cls = cls
        self.loc = loc
        self.count = 0
        self.params = False
        self.last = None
        self.param_refs: list = []


class ModuleDetector(Detector):
    ids = ("forward-called-directly", "device-mismatch", "linear-collapse", "layer-created-in-forward")

    def __init__(self, hub):
        super().__init__(hub)
        self.built: dict[tuple, _Built] = {}
        self.building: dict[int, _Built] = {}
        self.fwd_params: dict[int, Any] = {}

    # ------------------------------------------------------------------ events
    def on_direct_forward(self, owner: nn.Module, mod: nn.Module, loc) -> None:
        self.report("forward-called-directly", WARNING, "direct", loc, key=type(owner).__name__,
                    evidence={"module": type(owner).__name__, "submodule": type(mod).__name__},
                    owner=type(owner).__name__, submodule=type(mod).__name__)

    def on_model_call(self, m: ModelRecord, mod: nn.Module, x: torch.Tensor | None, grad: bool) -> None:
        if m.calls > DEVICE_CHECKED_CALLS or x is None:
            return
        p = m.first_param
        if p is None or p.device == x.device:
            return
        self.report("device-mismatch", WARNING, "input", user_location(), key=m.name,
                    evidence={"module": m.name, "parameters_on": str(p.device), "input_on": str(x.device),
                              "input_shape": shape(x)},
                    model=m.name, parameters_on=p.device, input_on=x.device)

    def on_submodule_call(self, m: ModelRecord, mod: nn.Module, args: tuple) -> None:
        if isinstance(mod, _LINEAR_LAYERS):
            x = first_tensor(args)
            if x is not None and x.grad_fn is not None:
                self._check_linear_chain(m, mod, x)

    def on_submodule_out(self, m: ModelRecord, mod: nn.Module, out: Any) -> None:
        if isinstance(mod, _LINEAR_LAYERS):
            t = first_tensor(out)
            if t is not None and t.grad_fn is not None:
                name = m.names.get(id(mod), type(mod).__name__)
                t.grad_fn.metadata["torchtutor.linear"] = (name, *_widths(mod), type(mod).__name__,
                                                            getattr(mod, "groups", 1))

    def on_module_built(self, mod: nn.Module) -> None:
        loc = user_location()
        key = (type(mod).__name__, (loc.file, loc.line) if loc else None)
        rec = self.built.get(key)
        if rec is None:
            rec = self.built[key] = _Built(type(mod).__name__, loc)
        rec.count += 1
        rec.last = weakref.ref(mod)
        self.building = {id(mod): rec}

    def on_param_registered(self, module: nn.Module, param: Any) -> None:
        rec = self.building.get(id(module))
        if rec is not None and rec.last is not None and rec.last() is module:
            rec.params = True
            try:
                ref = weakref.ref(param)
            except TypeError:
                return
            self.fwd_params[id(param)] = ref
            if len(self.fwd_params) > FORWARD_PARAMS_KEPT:
                self.fwd_params = {k: r for k, r in self.fwd_params.items() if r() is not None}
            if len(rec.param_refs) < BUILT_PARAMS_KEPT:
                rec.param_refs.append(ref)

    def built_in_forward(self, p: torch.Tensor) -> bool:
        """True for a parameter of a layer that a forward pass built."""
        ref = self.fwd_params.get(id(p))
        return ref is not None and ref() is p

    # ------------------------------------------------------------------ evidence
    def _check_linear_chain(self, m: ModelRecord, mod: nn.Linear, x: torch.Tensor) -> None:
        fn = x.grad_fn
        for _ in range(LINEAR_CHAIN_DEPTH):
            if fn is None:
                return
            tag = fn.metadata.get("torchtutor.linear")
            if tag is not None:
                break
            if base_name(fn.name()) not in _LINEAR_PASS:
                return
            nexts = [n for n, _ in fn.next_functions if n is not None and base_name(n.name()) != "AccumulateGrad"]
            if len(nexts) != 1:
                return
            fn = nexts[0]
        else:
            return
        prev_name, a, b, prev_kind, groups = tag
        name = m.names.get(id(mod), type(mod).__name__)
        c = _widths(mod)[1]
        if prev_kind != "Linear" or not isinstance(mod, nn.Linear):
            # a convolution on either side: one convolution (or a linear map of its output)
            separable = groups > 1 or getattr(mod, "groups", 1) > 1  # depthwise + pointwise, on purpose
            self.report("linear-collapse", INFO if separable else WARNING, "separable" if separable else "conv",
                        user_location(), key=f"{prev_name} -> {name}",
                        evidence={"model": m.name, "first": f"{prev_name}: {prev_kind}({a}, {b})",
                                  "second": f"{name}: {type(mod).__name__}({b}, {c})", "middle_width": b},
                        first=prev_name, second=name, a=a, b=b, c=c, a_kind=prev_kind, c_kind=type(mod).__name__)
            return
        evidence = {"model": m.name, "first": f"{prev_name}: Linear({a}, {b})",
                    "second": f"{name}: Linear({b}, {c})", "middle_width": b}
        # a middle narrower than both ends is a low-rank factorisation, a deliberate saving
        low_rank = b < min(a, c)
        self.report("linear-collapse", INFO if low_rank else WARNING, "low_rank" if low_rank else "collapse",
                    user_location(), key=f"{prev_name} -> {name}", evidence=evidence,
                    first=prev_name, second=name, a=a, b=b, c=c, wasted=f"{a * b + b:,}")

    # ------------------------------------------------------------------ decision
    def finish(self, obs: dict) -> None:
        in_opt = self.hub.all_opt_ids()
        for rec in self.built.values():
            key = (rec.cls, rec.loc and rec.loc.line)
            evidence = {"class": rec.cls, "built": rec.count}
            if not rec.params:
                variant, severity = "parameter_free", INFO
            else:
                alive = [r() for r in rec.param_refs]
                lazy = rec.count == 1 and any(p is not None and id(p) in in_opt for p in alive)
                variant, severity = ("lazy", INFO) if lazy else ("fresh", WARNING)
            self.report("layer-created-in-forward", severity, variant, rec.loc, key=key, evidence=evidence,
                        cls=rec.cls, built=rec.count)

    def settle(self, obs: dict) -> None:
        obs["models"] = self.describe()

    def describe(self) -> list[dict[str, Any]]:
        out = []
        for m in self.hub.models:
            params = list(m.module.parameters())
            total = sum(p.numel() for p in params)
            trainable = sum(p.numel() for p in params if p.requires_grad)
            row = {"name": m.name, "parameters": total, "trainable": trainable, "calls": m.calls,
                   "input_shapes": m.input_shapes, "first_called_at": str(m.first_loc) if m.first_loc else None,
                   "layer_order": m.order}
            if self.hub.summary:
                row["summary"] = summarise_model(m)
            out.append(row)
        return out


def summarise_model(m: ModelRecord) -> dict[str, Any]:
    """torchinfo's table for the model (falls back to a parameter table without shapes)."""
    module = m.module
    text = None
    error = None
    if m.first_input is not None:
        try:
            import torchinfo

            dev = m.first_param.device if m.first_param is not None else torch.device("cpu")
            inputs = [t.to(dev) for t in m.first_input]
            stats = torchinfo.summary(module, input_data=inputs, verbose=0, depth=3, mode="eval",
                                      col_names=("output_size", "num_params"), row_settings=("var_names",),
                                      col_width=14, device=dev)
            text = "\n".join(line for line in str(stats).splitlines()
                             if not line.startswith(_TORCHINFO_NOISE)).rstrip("= \n")
        except Exception as exc:
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if text is None:
        lines = [f"{'Layer':<32} {'Type':<18} {'Params':>12} Trainable"]
        for qn, sub in module.named_modules():
            own = [p for p in sub._parameters.values() if p is not None]
            if not own:
                continue
            n = sum(p.numel() for p in own)
            tr = all(p.requires_grad for p in own)
            lines.append(f"{(qn or m.name)[:32]:<32} {type(sub).__name__[:18]:<18} {n:>12,} {'yes' if tr else 'no'}")
        total = sum(p.numel() for p in module.parameters())
        lines.append(f"Total params: {total:,}")
        text = "\n".join(lines)
    return {"text": text, "torchinfo": error is None and m.first_input is not None, "error": error}
