"""Translate an exception raised by PyTorch code into a catalogue finding.

PyTorch's messages are precise but written for PyTorch developers ("element 0 of tensors
does not require grad and does not have a grad_fn"). :func:`explain_exception` names the
mistake behind the message, says what it means for this program and where it happened.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .findings import WARNING, Finding, Location, innermost_user_location, traceback_frames


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _module_in_traceback(exc: BaseException) -> tuple[str | None, Location | None]:
    """The innermost nn.Module whose forward (or __init__) was running when it failed."""
    import torch.nn as nn

    found: tuple[str | None, Location | None] = (None, None)
    for frame, lineno in traceback_frames(exc.__traceback__):
        self_obj = frame.f_locals.get("self")
        if isinstance(self_obj, nn.Module) and frame.f_code.co_name in ("forward", "__init__"):
            found = (type(self_obj).__name__, Location(frame.f_code.co_filename, lineno))
    return found


def _broken_module_class(exc: BaseException) -> str | None:
    """The class of a Module instance whose nn.Module.__init__ never ran."""
    import torch.nn as nn

    for frame, _ in reversed(traceback_frames(exc.__traceback__)):
        self_obj = frame.f_locals.get("self")
        if isinstance(self_obj, nn.Module) and "_parameters" not in getattr(self_obj, "__dict__", {}):
            return type(self_obj).__name__
    match = re.search(r"'(\w+)' object has no attribute", str(exc))
    return match.group(1) if match else None


_DEVICE_PATTERNS = (
    "expected all tensors to be on the same device",
    "is not on the expected device",
    "expected object of device type",
    "to be on the same device",
    "found at least two devices",
)
_LABEL_PATTERNS = (
    "expected target dtype to be long",
    "expected scalar type long but found",
    "found dtype long but expected float",
    "found dtype int but expected float",
    "can't be cast to the desired output type long",
    "can't be cast to the desired output type int",
    "0d or 1d target tensor expected",
    "expected floating point type for target with class probabilities",
    "not implemented for 'float'",
    "not implemented for 'int'",
)


def explain_exception(exc: BaseException, context: Mapping[str, Any] | None = None) -> Finding | None:
    """The catalogue finding that explains ``exc``, or None when none fits.

    ``context`` may carry facts a probe observed before the crash; the keys used are
    ``all_frozen`` (bool: every parameter of the models seen has requires_grad=False),
    ``loss_grad_enabled`` (bool: whether grad mode was on when the loss was made),
    ``backward_shape`` (list: shape of the tensor passed to backward), ``loss_call``
    (dict with the loss name and the input/target shapes and dtypes) and
    ``inplace_forward`` / ``inplace_op`` (Locations found by an anomaly-mode replay) and
    ``step_after_forward`` (bool: an optimizer step ran after the last forward pass) and
    ``nonleaf_grad`` (bool: .grad was read on a non-leaf tensor before the crash).
    """
    context = dict(context or {})
    text = str(exc)
    low = text.lower()
    where = innermost_user_location(exc.__traceback__)
    module_name, module_loc = _module_in_traceback(exc)
    head = _first_line(exc)
    evidence: dict[str, Any] = {"exception": type(exc).__name__, "error": head}
    if module_name:
        evidence["module"] = module_name

    def finding(mid: str, message: str, **extra: Any) -> Finding:
        evidence.update(extra)
        return Finding(id=mid, severity=WARNING, message=message, evidence=evidence, location=where)

    if "grad can be implicitly created only for scalar outputs" in low:
        shape = context.get("backward_shape")
        shape_txt = f" of shape {list(shape)}" if shape else ""
        return finding(
            "non-scalar-backward",
            f"backward() was called on a tensor{shape_txt}, which holds "
            "more than one number. backward() needs a single number (the loss) to start from; "
            "reduce the per-sample values with .mean() or .sum(), or keep the loss's default "
            "reduction='mean'.",
            **({"shape": list(shape)} if shape else {}),
        )

    if "does not require grad and does not have a grad_fn" in low:
        if context.get("all_frozen"):
            return finding(
                "all-parameters-frozen",
                "backward() failed because no tensor in the loss's history "
                "requires a gradient: every parameter of the model has requires_grad=False, "
                "so there is nothing to learn. Unfreeze at least the layers you want to train.",
                frozen_parameters=context.get("frozen_count"),
            )
        cause = (
            "the loss was computed with gradient tracking switched off (inside torch.no_grad() "
            "or torch.inference_mode())"
            if context.get("loss_grad_enabled") is False
            else "the loss was rebuilt from a plain number or a detached tensor (.item(), "
            ".detach(), .numpy(), torch.tensor(...), argmax)"
        )
        return finding(
            "detached-loss",
            "backward() failed with 'element 0 of tensors does not require grad': "
            f"{cause}, so it has no path back to the model's parameters. Compute the loss "
            "directly from the model's output tensor.",
        )

    if "modified by an inplace operation" in low and context.get("step_after_forward"):
        return finding(
            "step-before-backward",
            "backward() crashed because optimizer.step() ran between the forward pass and "
            "loss.backward(): the step changed the weights in place while autograd still needed "
            f"their old values (\"{head[:120]}...\"). Order each iteration as zero_grad(), "
            "forward and loss, backward(), then step().",
        )

    if "modified by an inplace operation" in low:
        m = re.search(r"\[(torch\.\w+) \[([\d, ]*)\]\], which is output (\d+) of (\w+), is at version (\d+); "
                      r"expected version (\d+)", text)
        extra: dict[str, Any] = {}
        if m:
            extra = {"tensor": f"{m.group(1)} [{m.group(2)}]", "saved_by": m.group(4),
                     "version": int(m.group(5)), "expected_version": int(m.group(6))}
        produced = context.get("inplace_forward")
        changed = context.get("inplace_op")
        parts = ["backward() found that a tensor autograd had saved during the forward pass "
                 "was changed in place afterwards"]
        if m:
            parts.append(f" (a {m.group(1)} of shape [{m.group(2)}], saved by {m.group(4)}; "
                         f"it is at version {m.group(5)}, autograd expected {m.group(6)})")
        parts.append(".")
        def short(loc: Any) -> str:
            return loc.short() if isinstance(loc, Location) else str(loc)

        if produced:
            parts.append(f" The tensor was produced at {short(produced)}")
            parts.append(f" and modified in place at {short(changed)}." if changed else ".")
            extra["produced_at"] = str(produced)
            if changed:
                extra["modified_at"] = str(changed)
        elif changed:
            parts.append(f" It was modified in place at {short(changed)}.")
            extra["modified_at"] = str(changed)
        parts.append(" Use the out-of-place form (x = x + 1, torch.relu(x)) so the saved value survives.")
        f = finding("inplace-autograd-conflict", "".join(parts), **extra)
        if changed:
            f.location = changed if isinstance(changed, Location) else f.location
        return f

    if "a leaf variable that requires grad is being used in an in-place operation" in low:
        return finding(
            "update-outside-no-grad",
            "An in-place change to a tensor that requires grad (a parameter) failed: "
            "autograd would have to record the update itself. Parameter updates "
            "by hand belong inside `with torch.no_grad():`.",
        )

    if "before module.__init__() call" in low or (
        isinstance(exc, AttributeError) and re.search(r"object has no attribute '_(parameters|buffers|modules|"
                                                      r"(forward|backward)\w*hooks\w*|state_dict\w*|"
                                                      r"non_persistent\w*|load_state\w*)'", text)
    ):
        cls = _broken_module_class(exc)
        return finding(
            "missing-super-init",
            f"The class {cls or 'of your model'} never called super().__init__(), so nn.Module's "
            "registries for parameters and submodules do not exist and PyTorch fails with "
            f"\"{head}\". Call super().__init__() as the first line of __init__.",
            **({"class": cls} if cls else {}),
        )

    types = re.findall(r"\((torch\.(?:(cuda|mps|xpu)\.)?\w+Tensor)\)", text) if "weight type" in low else []
    mixed_types = len(types) == 2 and types[0][1] != types[1][1]
    if any(p in low for p in _DEVICE_PATTERNS) or mixed_types:
        devices = sorted(set(re.findall(r"\b(cuda:\d+|cuda|cpu|meta|mps|xpu)\b", text))
                         | {t[1] or "cpu" for t in types if mixed_types})
        where_txt = f" inside {module_name}.forward" if module_name else ""
        return finding(
            "device-mismatch",
            f"One operation{where_txt} mixed tensors on different "
            f"devices ({', '.join(devices) or 'see the error'}). Move the model and every batch "
            "to the same device: model.to(device) once, and x.to(device), y.to(device) in the loop.",
            devices=devices,
        )

    if any(p in low for p in _LABEL_PATTERNS):
        call = context.get("loss_call") or {}
        detail = ""
        if call:
            detail = (f" {call.get('loss')} got targets of dtype {call.get('target_dtype')} and shape "
                      f"{call.get('target_shape')} for an output of shape {call.get('input_shape')}.")
        return finding(
            "label-dtype",
            f"The loss crashed on its targets: \"{head}\".{detail} Class indices for "
            "CrossEntropyLoss/NLLLoss must be a 1-D int64 tensor (y.long()); regression and "
            "BCE targets must be float with the output's shape.",
            **{k: v for k, v in call.items() if k != "loss"},
        )

    if ("target size" in low and "input size" in low) or "must be the same as input size" in low:
        return finding(
            "loss-broadcast",
            f"The loss refused mismatched shapes: \"{head}\". Make the output and the target the "
            "same shape (pred.squeeze(1) or y.unsqueeze(1)) before calling the loss.",
        )

    if isinstance(exc, TypeError) and "'nonetype'" in low and context.get("nonleaf_grad"):
        return finding(
            "update-outside-no-grad",
            f"\"{head}\" came right after reading .grad on a tensor that is no longer a "
            "leaf: an update written as w = w - lr * w.grad with tracking on made w a computed tensor, "
            "whose .grad stays None. Update in place inside `with torch.no_grad():`.",
        )

    if "backward through the graph a second time" in low:
        return finding(
            "loss-accumulated-with-graph",
            "backward() ran through a part of the graph whose saved values were already freed by "
            "an earlier backward(). That happens when a tensor that carries last iteration's "
            "history is reused: a running total built with total += loss, a hidden state "
            "carried across batches without .detach(), or a prediction computed once, before the loop. Sum loss.item() for logging and detach "
            "state you carry between iterations.",
        )

    _ = module_loc
    return None
