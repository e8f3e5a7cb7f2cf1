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

from typing import Any, Callable, Sequence

import torch
import torch.nn as nn

from torchtutor.checks import WrongError, fail

# ---------------------------------------------------------------- errors in learner code

def missing_super(where: str) -> WrongError:
    """The catalogue's missing-super-init, in this lesson's words and with its misconception."""
    return WrongError.catalogue(
        "missing-super-init",
        f"{where} failed with \"{{error}}\": `super().__init__()` is missing.",
        failure="super-init-is-optional", misconceptions=["super-init-is-optional"],
        details=["nn.Module.__init__ creates the registries (_parameters, _modules, _buffers) that "
                 "`self.layer = nn.Linear(...)` and register_buffer write into. Without it the first such assignment "
                 "has nowhere to go, and the module cannot even be called.",
                 "Make `super().__init__()` the first line of your `__init__`."])


def sequential_given_list(who: str, parts: str) -> WrongError:
    """nn.Sequential handed one list (``nn.Sequential([a, b])``) instead of its ``parts`` one by one:
    PyTorch's "list is not a Module subclass", in this lesson's words. ``who`` is the learner's function."""
    return WrongError(TypeError, r"(list|tuple) is not a Module subclass",
                      f"{who} hands nn.Sequential one list instead of the {parts} themselves.",
                      details=[f"nn.Sequential(a, b, c) takes each of its {parts} as its own argument. To pass a list, "
                               f"unpack it: nn.Sequential(*{parts})."],
                      failure="sequential-list")

def call(ex, doing: str, fn: Callable[..., Any], *args: Any, errors: Sequence[WrongError] = (), **kwargs: Any) -> Any:
    """``ex.call`` with this lesson's reading of a missing ``super().__init__()`` added to ``errors``."""
    return ex.call(fn, *args, errors=[*errors, missing_super(doing)], doing=doing, **kwargs)


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
    shown = label or f"{name}({', '.join(repr(a) for a in args)})"
    model = call(ex, f"Creating `{shown}`", cls, *args)
    if "_modules" not in vars(model):
        if starter and not {k for k in vars(model) if not k.startswith("__")}:
            fail(starter, f"Start __init__ with super().__init__(), then set up what {name} holds.",
                 failure="placeholder")
        fail(f"`{shown}` was created without running nn.Module.__init__: `super().__init__()` is missing.",
             "nn.Module.__init__ creates the registries (_parameters, _modules, _buffers) that make a module "
             "work; without them the model cannot find its layers, or even be called.",
             "Make `super().__init__()` the first line of your `__init__`.",
             failure="super-init-is-optional", misconceptions=["super-init-is-optional"])
    return model


def call_model(ex, model: nn.Module, x: torch.Tensor, what: str, errors: Sequence[WrongError] = ()) -> Any:
    return call(ex, f"Calling `{what}`", model, x, errors=errors)


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
