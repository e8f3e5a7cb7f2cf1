"""Checker for mnist-classifier/mode-switch-bug: training steps in train(), evaluations in eval()."""

import torch

from torchtutor.checks import describe, fail
from torchtutor.diagnose.loop_probe import LoopProbe

import _models as md

EPOCHS = 3


def check(ex):
    model = md.moody_model(seed=5)
    train_loader = md.blob_loader(256, 64, seed=6, shuffle=True)
    test_loader = md.blob_loader(120, 60, seed=7)
    watch = md.ModeWatch(model)
    probe = LoopProbe(model)
    with watch, probe:
        history = ex.call("fit", model, train_loader, test_loader, EPOCHS, context=probe.crash_context,
                          doing="Calling `fit(model, train_loader, test_loader, epochs=3)`")
    md.explain_loop(probe, "fit")
    trained = [i for i, p in enumerate(watch.passes) if p.trained_on]
    if not trained:
        fail("`fit` never backpropagated through the model's output: nothing was trained.", failure="no-training")
    steps_per_epoch = len(train_loader)
    frozen = [i for i in trained if not watch.passes[i].training]
    if frozen:
        epoch = trained.index(frozen[0]) // steps_per_epoch
        fail(f"{len(frozen)} of the {len(trained)} training steps ran in eval mode, from epoch {epoch} on: "
             "evaluate() switched the model to eval mode and nothing switched it back.",
             "So from then on dropout never dropped and batch norm used its frozen running statistics while the "
             "model trained: no error, just the regularisation silently gone. Call model.train() at the start of "
             "every epoch.", failure="train-mode-not-restored", misconceptions=["eval-stays-harmless"])
    evaluations = [p for p in watch.passes if not p.trained_on]
    if not evaluations:
        fail("`fit` never evaluated the model on the test loader.", failure="no-evaluation")
    if any(p.training for p in evaluations):
        fail("An evaluation ran in training mode: dropout and batch norm behaved as in training while the model "
             "was being measured.", "Keep evaluate() as it was: model.eval() first, then the loop under no_grad.",
             failure="eval-mode-missing", misconceptions=["eval-mode-optional"])
    if any(p.grad_enabled for p in evaluations):
        fail("An evaluation recorded gradients: keep evaluate()'s `with torch.no_grad():`.", failure="no-grad-missing",
             misconceptions=["eval-disables-gradients"])
    if not isinstance(history, (list, tuple)) or len(history) != EPOCHS:
        fail(f"`fit` should return one test accuracy per epoch ({EPOCHS} here), but it returned {describe(history)}.",
             failure="wrong-history")
    return (f"All {len(trained)} training steps ran in train() mode and all {len(evaluations)} evaluation passes in "
            "eval() mode without gradients: model.train() undoes what evaluate()'s model.eval() did.")
