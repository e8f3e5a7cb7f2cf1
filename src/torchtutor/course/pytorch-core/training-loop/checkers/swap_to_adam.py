"""Checker for training-loop/swap-to-adam: one constructor line changes, the loop does not."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail

import _loop_verdicts as lv  # this lesson's words for the loop probe (checkers/_loop_verdicts.py)


def _adam_from(ex, model):
    optimizer = lv.call(ex, "make_optimizer", model)
    if optimizer is None:
        fail("`make_optimizer(model)` returns None. Return the optimizer: "
             "return torch.optim.Adam(model.parameters(), lr=0.1).", failure="missing-return")
    if isinstance(optimizer, torch.optim.SGD):
        fail("`make_optimizer` still returns SGD. Swap that one line for Adam: "
             "torch.optim.Adam(model.parameters(), lr=0.1).",
             "Nothing else changes: the loop only calls zero_grad() and step(), which every optimizer has.",
             failure="still-sgd")
    if type(optimizer) is not torch.optim.Adam:
        fail(f"`make_optimizer` returns {describe(optimizer) if not isinstance(optimizer, torch.optim.Optimizer) else type(optimizer).__name__}; "
             "the exercise asks for torch.optim.Adam.", failure="wrong-optimizer")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    mine = [(name, p) for name, p in model.named_parameters()]
    if not any(id(p) in held for _, p in mine):
        fail("The Adam from make_optimizer(model) holds none of the parameters of the `model` it was given.",
             "Build it from the argument: torch.optim.Adam(model.parameters(), lr=0.1), not from a global model.",
             failure="other-model")
    missing = [name for name, p in mine if id(p) not in held]
    if missing:
        fail(f"The Adam from make_optimizer(model) does not hold {', '.join(missing)}, so training never changes it.",
             "Pass all of them: model.parameters().", failure="optimizer-missing-params")
    group = optimizer.param_groups[0]
    if abs(group["lr"] - 0.001) < 1e-12:
        fail("Adam was created with its default learning rate, 0.001. On this problem that is far too slow.",
             "Adam moves each parameter by roughly lr per step: 150 steps of 0.001 carry the weight about 0.15, "
             "but it has to travel from near 0 to 2. Pass lr=0.1.", failure="adam-default-lr",
             misconceptions=["adam-default-lr-always-works"])
    if abs(group["lr"] - 0.1) > 1e-12:
        fail(f"Adam's learning rate is {group['lr']}; the exercise asks for lr=0.1.", failure="wrong-lr")
    if tuple(group["betas"]) != (0.9, 0.999):
        fail(f"Adam's betas are {tuple(group['betas'])}; keep the defaults, (0.9, 0.999).",
             "The first is the momentum's memory, the second the memory of the squared gradients (RMSProp's "
             "part). The defaults are the values from the optimizers lesson; leave betas out.",
             failure="changed-betas")
    return optimizer


def check(ex):
    # The loop must still be the same loop: the checker runs it with its own SGD first.
    lv.check_train(ex, epochs=40, lr=0.1, starter=False)

    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = _adam_from(ex, model)
    X, y = ex.get("X"), ex.get("y")
    epochs = ex.get("EPOCHS")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 0 < epochs <= 5000:
        fail(f"`EPOCHS` should be a whole number of epochs up to 5000, but it is {describe(epochs)}.",
             failure="wrong-type")
    losses, probe = lv.run_loop(ex, "train", model, optimizer, nn.MSELoss(), X, y, epochs)
    lv.explain_loop(ex, probe)
    values = lv.expect_loss_list(losses, epochs)
    lv.expect_fit(model, values, what=f"Trained with your Adam for {epochs} epochs, the model")
    return (f"Adam(lr=0.1) took the loss from {values[0]:.3f} to {values[-1]:.4f} and found w = "
            f"{model.weight.item():.3f}, b = {model.bias.item():.3f}, through a loop that never changed: it only "
            "calls zero_grad() and step(). That is the uniform interface of torch.optim.")
