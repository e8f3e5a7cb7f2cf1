"""Checker for autograd/detach-blocking.

frozen_hidden_grads is compared with the shared network's gradients, where the first
layer must get None (no path) rather than 0.0 (a path with zero slope). loss_history is
run on recording CPU tensors and on stand-ins for GPU tensors (CPU tensors whose
.numpy() refuses, as a CUDA tensor's does, until .cpu() brings them home). For
step_with_snapshot, `before` is compared with the old values after the update, which
exposes a detach() that shares memory, and a clone() that still records.
"""

import math

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from torchtutor.checks import describe, fail, known

NAMES = ("w1", "b1", "w2", "b2")


def _hand(x, y, w1, b1, w2, b2):
    z1 = w1 * x + b1
    h = max(0.0, z1)
    y_hat = w2 * h + b2
    d_yhat = 2 * (y_hat - y)
    d_z1 = d_yhat * w2 * (1.0 if z1 > 0 else 0.0)
    return {"w1": d_z1 * x, "b1": d_z1, "w2": d_yhat * h, "b2": d_yhat}


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-5)


def _vals(t):
    flat = [f"{v + 0.0:.4g}" for v in t.detach().reshape(-1).tolist()]
    return flat[0] if t.dim() == 0 else "[" + ", ".join(flat) + "]"


def _fmt(d):
    return "{" + ", ".join(f"{k}: {'None' if d[k] is None else format(d[k] + 0.0, '.4g')}" for k in NAMES) + "}"


# ----------------------------------------------------------------------------- 1. frozen_hidden_grads
def _frozen(ex, args, used_detach):
    doing = f"`frozen_hidden_grads{args}`"
    errors = [known("requires-grad-on-result", "wrong-snip", "item-on-none", what=doing)]
    with _Detaches() as detaches:
        got = ex.call("frozen_hidden_grads", *args, errors=errors, doing=f"Calling {doing}")
    used_detach.append(detaches.count > 0)
    if got is None:
        fail(f"{doing} returned None: replace `return None` in frozen_hidden_grads with your code.",
             failure="placeholder")
    if not isinstance(got, dict) or any(k not in got for k in NAMES):
        fail(f"{doing} should return a dict with the keys w1, b1, w2, b2, but it returned {describe(got)}.",
             failure="wrong-type")
    values = {}
    for k in NAMES:
        v = got[k]
        if isinstance(v, torch.Tensor):
            v = float(v.detach().reshape(-1)[0]) if v.numel() == 1 else v
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            fail(f"{doing} returned {describe(v)} for {k}; use a float, or None when there is no gradient.",
                 failure="wrong-type")
        values[k] = None if v is None else float(v)
    return values


def _check_frozen(ex):
    used_detach = []
    for args in ((2.0, 1.0, 0.5, 0.1, -0.3, 0.2), (1.5, -0.5, 0.8, -0.2, 1.2, 0.3)):
        got = _frozen(ex, args, used_detach)
        full = _hand(*args)
        want = {"w1": None, "b1": None, "w2": full["w2"], "b2": full["b2"]}
        doing = f"`frozen_hidden_grads{args}`"
        if got["w1"] is not None and got["b1"] is not None and _close(got["w1"], 0.0) and _close(got["b1"], 0.0):
            fail(f"{doing} returned {_fmt(got)}: 0.0 for the frozen layer, where autograd gave no gradient at all.",
                 "A 0.0 says: there is a path back to this parameter, and the slope along it is zero (like a ReLU "
                 "that is switched off). After a detach there is no path, and autograd leaves .grad as None. "
                 "Report None, so that whoever reads the dict can tell the two apart.",
                 misconceptions=["snipped-gradient-is-zero"], failure="zero-instead-of-none")
        if (got["w1"] is not None and got["b1"] is not None and _close(got["w1"], full["w1"])
                and _close(got["b1"], full["b1"])):
            fail(f"{doing} returned {_fmt(got)}: the first layer still gets its gradients, so nothing was snipped.",
                 "Cut the tape between the layers: the output layer should read h.detach(), not h. "
                 f"Then w1 and b1 get None, while w2 and b2 keep {full['w2'] + 0.0:.4g} and {full['b2'] + 0.0:.4g}.",
                 failure="wrong-snip")
        if (got["w1"] is None) != (got["b1"] is None):
            kept = "b1" if got["w1"] is None else "w1"
            fail(f"{doing} returned {_fmt(got)}: {kept} still gets a gradient.",
                 "Detaching one parameter cuts only that parameter's path. Snip the hidden value h, which both w1 "
                 "and b1 feed into: then the whole first layer is cut off in one place.", failure="wrong-snip")
        if got["w2"] is None or got["b2"] is None or not (_close(got["w2"], want["w2"]) and _close(got["b2"], want["b2"])):
            fail(f"{doing} returned {_fmt(got)}, but with the first layer frozen the gradients are {_fmt(want)}.",
                 "The output layer still records: w2 and b2 keep the same gradients as in the full network. "
                 "Only its input h comes in detached.", failure="wrong-snip")
        if got["w1"] is not None or got["b1"] is not None:
            fail(f"{doing} returned {_fmt(got)}, but with the first layer frozen the gradients are {_fmt(want)}.",
                 failure="wrong-values")
    if not any(used_detach):
        ex.notes.append("Your frozen layer works without .detach(), presumably with torch.no_grad() around the hidden "
                        "layer. Here both cut the same path: no_grad pauses a whole block, detach snips one tensor.")


class _Detaches(TorchFunctionMode):
    """Counts Tensor.detach() calls while the block runs."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in ("detach", "detach_"):
            self.count += 1
        return func(*args, **(kwargs or {}))


# ----------------------------------------------------------------------------- 2. loss_history
class _OnGpu(torch.Tensor):
    """A CPU tensor that NumPy treats the way it treats a CUDA tensor: .numpy() refuses it until
    .cpu() (or .to("cpu")) has brought it home. Fast, and runs on any machine."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.numpy:
            self = args[0]
            if kwargs.get("force") or (len(args) > 1 and args[1]):
                with torch._C.DisableTorchFunctionSubclass():
                    return self.detach().numpy().copy()
            if self.requires_grad:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                                   "Use tensor.detach().numpy() instead.")
            raise TypeError("can't convert cuda:0 device type tensor to numpy. "
                            "Use Tensor.cpu() to copy the tensor to host memory first.")
        to_cpu = func is torch.Tensor.cpu or (func is torch.Tensor.to and any(
            (isinstance(a, str) and a.startswith("cpu")) or (isinstance(a, torch.device) and a.type == "cpu")
            for a in list(args[1:]) + list(kwargs.values())))
        result = super().__torch_function__(func, types, args, kwargs)
        if to_cpu and isinstance(result, torch.Tensor):
            with torch._C.DisableTorchFunctionSubclass():
                result = result.as_subclass(torch.Tensor)
        return result


def _gpu_parameter(value):
    return torch.Tensor._make_subclass(_OnGpu, torch.tensor(value), True)


def _check_history(ex):
    w = torch.tensor(3.0, requires_grad=True)
    losses = [(w * k - 1.0) ** 2 for k in (1.0, 0.5, 0.25, 0.1)]
    want = np.array([4.0, 0.25, 0.0625, 0.49], dtype=np.float32)
    doing = "`loss_history(losses)`"
    got = ex.call("loss_history", losses, doing=f"Calling {doing}", errors=[known("numpy-requires-grad", what=doing)])
    if got is None:
        fail(f"{doing} returned None: replace `return None` in loss_history with your code.", failure="placeholder")
    if not isinstance(got, np.ndarray):
        fail(f"{doing} should return a NumPy array, but it returned {describe(got)}.",
             "torch.stack(losses) makes one tensor of them; then the chain .detach().cpu().numpy().",
             failure="wrong-type")
    if got.shape != want.shape or not np.allclose(got.astype(np.float64), want, atol=1e-5):
        fail(f"{doing} returned an array of shape {got.shape} holding {np.round(got, 4).tolist()}; it should hold the "
             f"{len(losses)} loss values {want.tolist()} in order.", failure="wrong-values")
    if not all(t.requires_grad for t in losses):
        fail(f"{doing} changed the losses it was given: they no longer record.", failure="input-modified")

    gpu = [(_gpu_parameter(3.0) * k - 1.0) ** 2 for k in (1.0, 0.5, 0.25, 0.1)]
    out = ex.call("loss_history", gpu, doing=f"Calling {doing} on GPU tensors",
                  errors=[known("numpy-needs-cpu", what=doing)])
    if not isinstance(out, np.ndarray) or out.shape != want.shape or not np.allclose(out.astype(np.float64), want, atol=1e-5):
        fail(f"{doing} on GPU tensors returned {describe(out)}; it should be the array {want.tolist()}.",
             failure="wrong-values")


# ----------------------------------------------------------------------------- 3. step_with_snapshot
def _check_snapshot(ex):
    for start, lr in (([0.8], 0.1), ([1.0, -2.0, 0.25], 0.05)):
        w = torch.tensor(start if len(start) > 1 else start[0], requires_grad=True)
        (w * 4.0 + w ** 2).sum().backward()                 # w.grad = 4 + 2w
        old = w.detach().clone()
        expect_new = old - lr * (4.0 + 2 * old)
        doing = f"`step_with_snapshot(w, {lr})` with w = {start if len(start) > 1 else start[0]}"
        before, local = ex.call_keeping_locals("step_with_snapshot", w, lr, doing=f"Calling {doing}",
                                               errors=[known("update-outside-no-grad", what=doing)])
        if before is None and torch.equal(w.detach(), old):
            fail(f"{doing} returned None and left w alone: replace `return None` in step_with_snapshot with your code.",
                 failure="placeholder")
        if torch.equal(w.detach(), old):
            lw = local.get("w")
            if isinstance(lw, torch.Tensor) and lw is not w:
                fail(f"{doing} did not change the caller's w: the update made a new tensor under the local name w"
                     + (f", with grad_fn=<{type(lw.grad_fn).__name__}>." if lw.grad_fn is not None else "."),
                     "Change the tensor itself, in place, inside no_grad: `with torch.no_grad(): w -= lr * w.grad`.",
                     misconceptions=["no-grad-is-only-speed"] if lw.grad_fn is not None else [],
                     failure="update-outside-no-grad" if lw.grad_fn is not None else "rebound-parameter")
            fail(f"{doing} did not update w.", "Step against the gradient, in place, inside no_grad: w -= lr * w.grad.",
                 failure="missing-update")
        if not w.is_leaf or not w.requires_grad:
            fail(f"After {doing}, w is no longer a leaf that records.",
                 "Update it in place inside `with torch.no_grad():`.", misconceptions=["no-grad-is-only-speed"],
                 failure="update-outside-no-grad")
        if not torch.allclose(w.detach(), expect_new, atol=1e-5):
            fail(f"After {doing}, w is {_vals(w)}; one step of w - lr * w.grad gives {_vals(expect_new)}.",
                 failure="wrong-values")
        if not isinstance(before, torch.Tensor):
            fail(f"{doing} returned {describe(before)}; `before` should be a tensor holding w's old values.",
                 "A tensor that does not record: w.detach().clone(), taken before the update.", failure="wrong-type")
        if before is w:
            fail(f"{doing} returned w itself: after the update it holds the new values, not the old ones.",
                 "Take a snapshot before the update: w.detach().clone().", misconceptions=["detach-copies"],
                 failure="detach-shares-memory")
        if torch.allclose(before.detach(), w.detach()) and not torch.allclose(old, w.detach()):
            fail(f"{doing} returned `before` = {_vals(before)}: the NEW values. The snapshot followed the "
                 "update.",
                 "detach() does not copy: the detached tensor shares w's memory and only drops the history. When "
                 "`w -= ...` wrote into that memory, your snapshot changed with it. Copy the data as well: "
                 "before = w.detach().clone().", misconceptions=["detach-copies"], failure="detach-shares-memory")
        if before.requires_grad:
            fail(f"{doing} returned a snapshot that still records (grad_fn=<{type(before.grad_fn).__name__}>).",
                 "clone() on a recording tensor is recorded too, so the snapshot stays attached to w's graph. "
                 "Snip it first: w.detach().clone().", failure="snapshot-records")
        if before.shape != old.shape or not torch.allclose(before, old):
            fail(f"{doing} returned `before` = {_vals(before)}, but w held {_vals(old)} before the update.",
                 failure="wrong-values")


def check(ex):
    _check_frozen(ex)
    _check_history(ex)
    _check_snapshot(ex)
    return ("Snipped tape, no gradient (None, not 0) for the frozen layer; losses reach NumPy from recording tensors "
            "and from the GPU stand-in alike; and your snapshot is a real copy that does not record.")
