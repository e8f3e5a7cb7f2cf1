"""Known wrong exceptions the autograd checkers share (not a checker itself: it has no check()).

Clearing a gradient goes wrong the same two ways wherever a learner does it by hand: zero_()
on a .grad that is still None, and zero_grad() called on a plain tensor. Checkers import it
as ``import _grad_errors``: the harness puts the checker's folder on the import path while it
loads a checker.
"""

from torchtutor.checks import WrongError


def zero_none_grad(doing: str, clear_after: str) -> WrongError:
    """w.grad.zero_() while w.grad is still None. ``clear_after`` says when, in this exercise,
    zero_() is safe ("after you have read the gradient")."""
    return WrongError(
        AttributeError, r"NoneType.*zero_", f"{doing} crashed: w.grad is None, so there is nothing to call zero_() on.",
        details=["Before a tensor's first backward(), its .grad is None; backward() creates it. The checker starts "
                 "from such a fresh w, the way any training run starts.",
                 f"Either write w.grad = None (it works whether or not a gradient exists), or clear with "
                 f"w.grad.zero_() {clear_after}."],
        failure="zero-none-grad")


def tensor_zero_grad(doing: str) -> WrongError:
    """w.zero_grad() on a tensor: the method belongs to models and optimizers."""
    return WrongError(
        AttributeError, r"zero_grad", f"{doing} crashed: a tensor has no zero_grad() method.",
        details=["zero_grad() belongs to models and optimizers (the next two lessons), which clear every parameter "
                 "at once. For one tensor, clear its gradient directly: w.grad = None, or w.grad.zero_()."],
        failure="tensor-zero-grad")
