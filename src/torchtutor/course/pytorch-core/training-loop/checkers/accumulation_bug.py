"""Checker for training-loop/accumulation-bug: a colleague's loop that never clears its gradients."""

import torch

import _loop_verdicts as lv  # this lesson's words for the loop probe (checkers/_loop_verdicts.py)

EPOCHS = 60


def check(ex):
    # The colleague's train(), run on the checker's own data, model and SGD (lr 0.1): the probe compares the
    # gradient every step uses with that step's own gradient, which is what exposes the missing zero_grad().
    model = lv.check_train(ex, epochs=EPOCHS, lr=0.1, starter=False)
    lv.expect_fit(model, [], what=f"After {EPOCHS} epochs the model")
    return ("Fixed: every step now uses the gradient of its own loss, so the loss falls and stays down "
            f"(w = {model.weight.item():.3f}, b = {model.bias.item():.3f}). The script never raised an error; the "
            "evidence was in the gradients. That is why zero_grad() is not boilerplate.")
