"""Checker for mnist-classifier/mnist-mlp: a real MNIST classifier trained on the shipped sample."""

import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from torchtutor.checks import describe, fail, known
from torchtutor.data import load_dataset
from torchtutor.diagnose.loop_probe import LoopProbe

import _models as md

GOAL = 0.90
NO_FLATTEN = known("missing-flatten")
MAX_EPOCHS = 10
TIME_BUDGET_S = 20.0


def _check_model(ex, model):
    if not isinstance(model, nn.Module):
        fail(f"`build_model()` should return an nn.Module, but it returned {describe(model)}.",
             failure="placeholder" if model is None else "not-a-model")
    x = md.prepare(load_dataset("mnist", "test", sample=True).images[:8])
    model.eval()
    with torch.no_grad():
        out = ex.call(model, x, errors=[NO_FLATTEN],
                      doing="Calling `model(images)` on a batch of 8 images of shape [8, 1, 28, 28]")
    if not isinstance(out, torch.Tensor) or list(out.shape) != [8, 10]:
        fail(f"On a batch of 8 images the model returns {describe(out)}; it should return ten logits per image, "
             "[8, 10].", "Start with nn.Flatten() (784 inputs) and end with nn.Linear(..., 10).",
             failure="wrong-shape")
    if bool((out >= 0).all()) and torch.allclose(out.sum(dim=1), torch.ones(8), atol=1e-4):
        fail("The model's outputs are probabilities: every row is positive and sums to 1, so it ends in a softmax.",
             "nn.CrossEntropyLoss applies log-softmax itself; with a softmax in the model it is applied twice and "
             "the loss cannot fall below 1.46. Remove the final softmax: the model returns raw logits.",
             failure="softmax-before-cross-entropy", misconceptions=["softmax-before-cross-entropy"])
    if not any(isinstance(m, nn.Dropout) for m in model.modules()):
        fail("The model has no nn.Dropout.", "Put nn.Dropout(0.2) after the hidden layer's ReLU.",
             failure="no-dropout")


def _check_optimizer(model, optimizer):
    if not isinstance(optimizer, torch.optim.Optimizer):
        fail(f"`make_optimizer(model)` should return a torch.optim optimizer, but it returned {describe(optimizer)}.",
             failure="placeholder" if optimizer is None else "wrong-optimizer")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if any(id(p) not in held for p in model.parameters()):
        fail("The optimizer does not hold all of the model's parameters.",
             "Build it from the model it is given: torch.optim.Adam(model.parameters(), ...).",
             failure="optimizer-missing-params")
    decay = max(group.get("weight_decay", 0) or 0 for group in optimizer.param_groups)
    if decay <= 0:
        fail("The optimizer has no weight decay: weight_decay is 0.",
             "L2 regularisation lives in the optimizer: torch.optim.Adam(model.parameters(), lr=1e-3, "
             "weight_decay=1e-4).", failure="no-weight-decay", misconceptions=["weight-decay-needs-a-loss-term"])
    if decay > 0.05:
        fail(f"weight_decay={decay:g} is so strong that it pulls every weight toward zero faster than the data "
             "can push them: try 1e-4.", failure="weight-decay-too-strong")


def check(ex):
    torch.set_num_threads(1)          # a steady verdict time on a busy machine
    train = load_dataset("mnist", "train", sample=True)
    test = load_dataset("mnist", "test", sample=True)
    loader = DataLoader(TensorDataset(md.prepare(train.images), train.labels), batch_size=64, shuffle=True)

    torch.manual_seed(0)
    model = ex.call("build_model", doing="Calling `build_model()`")
    _check_model(ex, model)
    optimizer = ex.call("make_optimizer", model, doing="Calling `make_optimizer(model)`")
    _check_optimizer(model, optimizer)

    epochs = ex.get("EPOCHS")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        fail(f"`EPOCHS` should be a whole number from 1 to {MAX_EPOCHS}, but it is {describe(epochs)}.",
             failure="wrong-type")

    model.eval()                      # as an evaluation before this epoch would leave it
    watch, probe = md.ModeWatch(model), LoopProbe(model, max_steps=10 * len(loader))
    started = time.perf_counter()
    with watch, probe:
        ex.call("train_epoch", model, loader, optimizer, context=probe.crash_context,
                doing="Calling `train_epoch(model, loader, optimizer)`")
    md.explain_loop(probe, "train_epoch")
    if len(probe.steps) != len(loader):
        fail(f"`train_epoch` made {len(probe.steps)} optimizer steps over a loader of {len(loader)} batches; "
             "one epoch is one step per batch.", failure="wrong-step-count")
    if any(not p.training for p in watch.passes if p.trained_on):
        fail("`train_epoch` trained the model in eval mode: the model arrived in eval mode (an evaluation ran "
             "before) and train_epoch never switched it back, so dropout never dropped.",
             "Start train_epoch with model.train().", failure="train-mode-not-restored",
             misconceptions=["eval-stays-harmless"])
    for _ in range(epochs - 1):
        ex.call("train_epoch", model, loader, optimizer, doing="Calling `train_epoch(model, loader, optimizer)`")
        if time.perf_counter() - started > TIME_BUDGET_S:
            fail(f"Training took more than {TIME_BUDGET_S:.0f} s; keep the model small (one hidden layer of 128 "
                 "units trains an epoch in well under a second).", failure="too-slow")
    model.eval()
    with torch.no_grad():
        accuracy = (model(md.prepare(test.images)).argmax(dim=1) == test.labels).float().mean().item()
    if accuracy < GOAL:
        fail(f"After {epochs} epochs the model gets {accuracy:.1%} of the 1,000 test digits right; the goal is "
             f"{GOAL:.0%}.", "Train a few epochs more, or check the learning rate (Adam's 1e-3 works here) and "
             "the hidden layer (128 units is plenty).", failure="low-accuracy")
    seconds = time.perf_counter() - started
    return (f"{accuracy:.1%} of the 1,000 held-out test digits right after {epochs} epochs on 4,000 training digits "
            f"({seconds:.1f} s): Flatten, a hidden layer with dropout, ten raw logits, Adam with weight decay.")
