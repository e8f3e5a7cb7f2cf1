"""Probes shared by the nn-module checkers (not a checker itself: it has no check()).

Each probe looks at what a learner's module *does* and turns the classic nn.Module
slips into a verdict that names them:

- a missing ``super().__init__()``        (the AttributeError PyTorch raises, explained)
- layers created inside ``forward``       (no registered parameters, or a different answer per call)
- layers stacked with no activation       (the model is exactly affine / Linear follows Linear)
- ``model.forward(x)`` instead of ``model(x)``  (a forward hook that never fires)

Checkers import it as ``import _nn_checks as nnc``: the harness puts the checker's
folder on the import path while it loads a checker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import torch
import torch.nn as nn

from torchtutor.checks import fail
from torchtutor.checks.api import CheckFailure, learner_error

SUPER_MESSAGE = "before Module.__init__() call"


# ---------------------------------------------------------------- errors in learner code

class Known:
    """An exception the learner's code may raise, with the explanation to give for it."""

    def __init__(self, exc_type: type[BaseException], contains: str | Sequence[str], message: str, *details: str,
                 failure: str, misconceptions: Iterable[str] = ()):
        self.exc_type = exc_type
        self.contains = [contains] if isinstance(contains, str) else list(contains)
        self.message = message
        self.details = list(details)
        self.failure = failure
        self.misconceptions = list(misconceptions)

    def matches(self, exc: BaseException) -> bool:
        text = str(exc)
        return isinstance(exc, self.exc_type) and any(c in text for c in self.contains)


def missing_super(where: str) -> Known:
    return Known(
        AttributeError, SUPER_MESSAGE,
        f"{where} failed with \"cannot assign ... before Module.__init__() call\": `super().__init__()` is missing.",
        "nn.Module.__init__ creates the registries (_parameters, _modules, _buffers) that `self.layer = nn.Linear(...)` "
        "and register_buffer write into. Without it the first such assignment has nowhere to go.",
        "Make `super().__init__()` the first line of your `__init__`.",
        failure="super-init-is-optional", misconceptions=["super-init-is-optional"])


def guarded(ex, doing: str, fn: Callable[..., Any], *args: Any, known: Sequence[Known] = (), **kwargs: Any) -> Any:
    """Call ``fn``; an exception it raises becomes a verdict: a known one gets its own
    explanation, any other the learner's line and the exception's message."""
    try:
        return fn(*args, **kwargs)
    except CheckFailure:
        raise
    except Exception as exc:
        for k in known:
            if k.matches(exc):
                frame_note = _line_note(exc, ex.file)
                fail(k.message, *(frame_note + k.details), failure=k.failure, misconceptions=k.misconceptions)
        if isinstance(exc, AttributeError) and ("_parameters" in str(exc) or "_modules" in str(exc)
                                                or "hooks" in str(exc) or "_buffers" in str(exc)):
            # A module whose __init__ never ran: PyTorch's own attributes are missing.
            fail(f"{doing} raised AttributeError ({exc}): `super().__init__()` was never called.",
                 *_line_note(exc, ex.file),
                 "nn.Module.__init__ sets up the module's internal registries; call super().__init__() "
                 "as the first line of your __init__.",
                 failure="super-init-is-optional", misconceptions=["super-init-is-optional"])
        raise learner_error(exc, ex.file, doing) from None


def _line_note(exc: BaseException, file: Path) -> list[str]:
    from torchtutor.checks.api import learner_frame

    frame = learner_frame(exc, file)
    return [f"line {frame.lineno}: {frame.line.strip()}"] if frame and frame.line else []


# ---------------------------------------------------------------- modules

def module_class(ex, name: str) -> type:
    """The learner's class ``name``, which must subclass nn.Module."""
    cls = ex.get(name)
    if not isinstance(cls, type):
        fail(f"`{name}` should be a class (class {name}(nn.Module): ...), but it is {type(cls).__name__}.",
             failure="not-a-module")
    if not issubclass(cls, nn.Module):
        fail(f"`{name}` is a class, but it does not subclass nn.Module.",
             f"Write `class {name}(nn.Module):`. Only a subclass of nn.Module registers its layers and parameters.",
             failure="not-a-module")
    return cls


def instantiate(ex, name: str, *args: Any, starter: str = "", label: str | None = None) -> nn.Module:
    """Create the learner's module, explaining a missing super().__init__().

    ``starter`` is the message for an __init__ that still does nothing at all (the
    untouched starter), told apart from one that only forgot super().__init__()."""
    cls = module_class(ex, name)
    call = label or f"{name}({', '.join(repr(a) for a in args)})"
    model = guarded(ex, f"Creating `{call}`", cls, *args, known=[missing_super(f"Creating `{call}`")])
    if "_modules" not in vars(model):
        if starter and not {k for k in vars(model) if not k.startswith("__")}:
            fail(starter, f"Start __init__ with super().__init__(), then set up what {name} holds.",
                 failure="placeholder")
        fail(f"`{call}` was created without running nn.Module.__init__: `super().__init__()` is missing.",
             "nn.Module.__init__ creates the registries (_parameters, _modules, _buffers) that make a module "
             "work; without them the model cannot find its layers, or even be called.",
             "Make `super().__init__()` the first line of your `__init__`.",
             failure="super-init-is-optional", misconceptions=["super-init-is-optional"])
    return model


def call_model(ex, model: nn.Module, x: torch.Tensor, what: str, known: Sequence[Known] = ()) -> Any:
    return guarded(ex, f"Calling `{what}`", model, x, known=known)


def n_numbers(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def expect_registered(ex, model: nn.Module, x: torch.Tensor, what: str, expected_numbers: int,
                      layout: str) -> None:
    """Fail if the model's layers are not registered: none at all, created in forward,
    or hidden in a plain Python list."""
    params = list(model.parameters())
    if not params:
        hidden_in_list = [k for k, v in vars(model).items()
                          if isinstance(v, (list, tuple, dict)) and any(isinstance(i, nn.Module) for i in
                                                                       (v.values() if isinstance(v, dict) else v))]
        if hidden_in_list:
            fail(f"`{what}` registers no parameters: its layers sit in a plain Python "
                 f"{type(vars(model)[hidden_in_list[0]]).__name__} (`self.{hidden_in_list[0]}`).",
                 "nn.Module only registers layers assigned directly to self (or held in nn.ModuleList / nn.Sequential). "
                 "Layers in a plain list are invisible to model.parameters(), so nothing would train them.",
                 failure="layers-in-forward", misconceptions=["layers-in-forward"])
        fail(f"`{what}` has no registered parameters: model.parameters() is empty.",
             "That happens when the layers are created inside forward() (as local variables) instead of being "
             "assigned to self in __init__. Such layers are new, random and invisible on every call, so nothing "
             "could ever train them.",
             f"Create the layers in __init__: {layout}.",
             failure="layers-in-forward", misconceptions=["layers-in-forward"])
    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        torch.manual_seed(1)
        first = call_model(ex, model, x, what + "(x)")
        torch.manual_seed(2)
        second = call_model(ex, model, x, what + "(x)")
    after = list(model.parameters())
    changed = len(after) != len(before) or any(a.shape != b.shape or not torch.equal(a.detach(), b)
                                                for a, b in zip(after, before))
    if changed or (isinstance(first, torch.Tensor) and isinstance(second, torch.Tensor)
                   and first.shape == second.shape and not torch.allclose(first, second)):
        fail(f"`{what}` gives a different output every time it is called with the same input.",
             "Something in forward() creates a new layer (with new random weights) on every call. Layers must be "
             "created once, in __init__, and assigned to self; forward() only uses them.",
             failure="layers-in-forward", misconceptions=["layers-in-forward"])
    total = n_numbers(model)
    if total != expected_numbers:
        shapes = ", ".join(f"{n} {tuple(p.shape)}" for n, p in model.named_parameters())
        fail(f"`{what}` holds {total} learnable numbers, but it should hold {expected_numbers}.",
             f"Its parameters: {shapes}.",
             f"Expected: {layout}. Remember nn.Linear(in, out) holds in * out + out numbers.",
             failure="wrong-parameter-count")


def is_affine(f: Callable[[torch.Tensor], torch.Tensor], in_features: int, *, scale: float = 3.0) -> bool:
    """True if f behaves exactly like x -> x @ A + c on random points, which is what a
    stack of linear layers with no activation between them does."""
    gen = torch.Generator().manual_seed(1234)
    a = torch.randn(16, in_features, generator=gen) * scale
    b = torch.randn(16, in_features, generator=gen) * scale
    t = 2.5  # outside [0, 1], so a ReLU that is active at a and b can still switch off in between
    with torch.no_grad():
        fa, fb, fm = f(a), f(b), f(t * a + (1 - t) * b)
    if not all(isinstance(v, torch.Tensor) for v in (fa, fb, fm)):
        return False
    expected = t * fa + (1 - t) * fb
    size = max(float(expected.abs().max()), 1.0)
    return bool(torch.allclose(fm, expected, atol=1e-4 * size, rtol=1e-4))


def no_activation_message(what: str) -> tuple[str, str, str]:
    return (f"`{what}` is exactly linear: there is no activation between its linear layers.",
            "Two nn.Linear layers with nothing nonlinear between them collapse into one linear layer "
            "(W_eff = W2 @ W1, b_eff = W2 @ b1 + b2). The extra layer adds parameters but no power: "
            "the model can only ever fit straight lines.",
            "Apply ReLU to the hidden layer's output (torch.relu(...) in forward, or nn.ReLU() in a Sequential).")


def linear_after_linear(seq: nn.Sequential) -> tuple[int, int] | None:
    """Positions of two nn.Linear bricks with nothing nonlinear between them, if any."""
    passive = (nn.Identity, nn.Dropout, nn.Flatten)
    last_linear = None
    for i, m in enumerate(seq):
        if isinstance(m, nn.Linear):
            if last_linear is not None:
                return last_linear, i
            last_linear = i
        elif not isinstance(m, passive):
            last_linear = None
    return None


def called_through_module(model: nn.Module, fn: Callable[..., Any], *args: Any) -> tuple[Any, bool]:
    """Run fn(*args) with a forward hook on ``model``; report whether model(x) was used.

    ``model(x)`` goes through nn.Module.__call__, which runs hooks; ``model.forward(x)`` does not."""
    fired: list[bool] = []
    handle = model.register_forward_hook(lambda module, inputs, output: fired.append(True))
    try:
        result = fn(*args)
    finally:
        handle.remove()
    return result, bool(fired)


FORWARD_MESSAGE = (
    "Your function never called the model as `model(x)`: the model's forward hook did not fire.",
    "Calling `model.forward(x)` (or running the layers one by one outside the model) computes the same numbers, "
    "but skips nn.Module.__call__, which runs the hooks that tools such as profilers, debuggers and "
    "`torchtutor doctor` attach to your model. They go silent.",
    "Always call the model itself: `y_hat = model(x)`.",
)


def linears(model: nn.Module) -> list[nn.Linear]:
    """The nn.Linear layers of a model, in registration order."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]
