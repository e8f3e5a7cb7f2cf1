"""Checker for gpu-training/amp-step.

Everything runs on the CPU, whose autocast accepts float16 and which has a GradScaler. The
learner's step and a reference step start from the same weights; the checker compares the
weight updates, the returned loss and the scale, watches the dtype the first layer computes
in, and tries a loss small enough that its gradients vanish in float16 unless scaled.
"""

import copy

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail, known

INIT_SCALE = 2.0 ** 16
SMALL = 1e-7     # weights a loss so that its gradients underflow in float16 without scaling
SMALL_LR = 1e6   # and a learning rate large enough that the surviving gradients visibly move the weights


def _setup(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    g = torch.Generator().manual_seed(seed + 1)
    return model, torch.randn(32, 8, generator=g), torch.randint(0, 3, (32,), generator=g)


def _reference(model, criterion, optimizer, scaler, inputs, targets, device_type, amp_dtype):
    optimizer.zero_grad()
    with torch.autocast(device_type, dtype=amp_dtype):
        loss = criterion(model(inputs), targets)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()


def _small_loss(outputs, targets):
    return nn.functional.cross_entropy(outputs, targets) * SMALL


ERRORS = [known("optimizer-step-on-scaled", "unscaled-backward")]


def _run(ex, dtype, scaled, criterion, seed, steps=1, lr=0.1):
    """Run `steps` steps of the learner's and of the reference; return what the checks need."""
    model, inputs, targets = _setup(seed)
    twin = copy.deepcopy(model)
    start = [p.detach().clone() for p in model.parameters()]
    seen = []
    handle = model[0].register_forward_hook(lambda m, a, out: seen.append(out.dtype))
    results = []
    models = []
    for fn, net in ((None, model), (_reference, twin)):
        optimizer = torch.optim.SGD(net.parameters(), lr=lr)
        scaler = torch.amp.GradScaler("cpu", init_scale=INIT_SCALE, growth_interval=1, enabled=scaled)
        losses = []
        for _ in range(steps):
            args = (net, criterion, optimizer, scaler, inputs, targets, "cpu", dtype)
            if fn is None:
                losses.append(ex.call("train_step", *args, errors=ERRORS,
                                      doing=f"Calling `train_step(...)` with {str(dtype)[6:]} autocast"))
            else:
                losses.append(fn(*args))
        results.append((losses, scaler.get_scale() if scaled else None))
        models.append(net)
    handle.remove()
    deltas = [[(p.detach() - s) for p, s in zip(net.parameters(), start)] for net in models]
    return results, deltas, seen


def _ratio(mine, ref):
    num = sum(float((m * r).sum()) for m, r in zip(mine, ref))
    den = sum(float((r * r).sum()) for r in ref)
    return num / den if den else float("nan")


def _close(mine, ref, rtol=2e-2):
    err = sum(float((m - r).pow(2).sum()) for m, r in zip(mine, ref)) ** 0.5
    size = sum(float(r.pow(2).sum()) for r in ref) ** 0.5
    return err <= rtol * size + 1e-9


def check(ex):
    ce = nn.CrossEntropyLoss()
    (mine, ref), (d_mine, d_ref), seen = _run(ex, torch.float16, True, ce, seed=0)
    loss, ref_loss = mine[0][0], ref[0][0]
    if loss is None:
        fail("`train_step(...)` returned None: replace `return None` with your code.", failure="placeholder")
    if seen and seen[0] != torch.float16:
        fail(f"Your model's first layer computed in {seen[0]} (with amp_dtype = torch.float16): the forward pass did "
             "not run under autocast.",
             "Put the forward pass and the loss inside `with torch.autocast(device_type, dtype=amp_dtype):`. The "
             "weights stay float32; autocast picks the dtype of each operation.",
             misconceptions=["half-model-is-mixed-precision"], failure="no-autocast")
    if not isinstance(loss, float):
        fail(f"`train_step` should return the loss as a Python float (loss.item()), but it returned {describe(loss)}.",
             failure="wrong-type")
    if abs(loss - ref_loss * INIT_SCALE) <= 1e-2 * abs(ref_loss * INIT_SCALE):
        fail(f"`train_step` returned {loss:,.1f}, the loss times the scale ({INIT_SCALE:,.0f}); the loss itself is "
             f"{ref_loss:.4f}.", "Return loss.item(), not the scaled loss.", failure="returned-scaled-loss")
    ratio = _ratio(d_mine, d_ref)
    if not _close(d_mine, d_ref):
        if 0.5 * INIT_SCALE < ratio < 2 * INIT_SCALE:
            fail(f"The update was about {ratio:,.0f} times too large: the optimizer stepped with the scaled "
                 "gradients.",
                 "optimizer.step() does not know about the scale. scaler.step(optimizer) divides the gradients "
                 "by it first (and skips the step if any overflowed).", failure="optimizer-step-on-scaled")
        if abs(ratio) < 1e-3:
            fail("The weights barely moved: the optimizer saw gradients 65,536 times too small.",
                 "scaler.step(optimizer) divides the gradients by the scale, so the backward pass has to be on the "
                 "scaled loss: scaler.scale(loss).backward().", failure="unscaled-backward")
        fail("After one step your weights differ from a mixed-precision step taken from the same start.",
             f"Compared with the reference update, yours is {ratio:.3g} times as large along it.",
             "One step is: zero_grad, forward and loss under autocast, scaler.scale(loss).backward(), "
             "scaler.step(optimizer), scaler.update().", failure="wrong-update")
    if abs(loss - ref_loss) > 1e-2 * abs(ref_loss) + 1e-6:
        fail(f"`train_step` returned {loss:.4f}; the loss of this step is {ref_loss:.4f}.",
             "Return the loss computed in the step, as loss.item().", failure="wrong-value")
    scale, ref_scale = mine[1], ref[1]
    (mine, ref), (d_mine, d_ref), _ = _run(ex, torch.float16, True, _small_loss, seed=1, lr=SMALL_LR)
    first_moved = float(d_mine[0].abs().max())
    if first_moved == 0.0 and float(d_ref[0].abs().max()) > 0:
        fail("With a small loss (cross-entropy times 1e-7), your first layer's weights did not move at all: its "
             "gradients underflowed to zero in float16.",
             "That is what loss scaling prevents. Back-propagate the scaled loss, scaler.scale(loss).backward(), "
             "and step through the scaler, which unscales in float32.",
             misconceptions=["half-model-is-mixed-precision"], failure="unscaled-backward")
    if not _close(d_mine, d_ref):
        fail("With a small loss (cross-entropy times 1e-7), your step's update differs from the reference.",
             "Use the scaler for both the backward pass and the step.", failure="wrong-update")

    if scale != ref_scale:
        fail(f"After a good step the scale is {scale:,.0f}; it should have grown to {ref_scale:,.0f} "
             "(this scaler grows it after every good step).",
             "Call scaler.update() after scaler.step(optimizer): it lowers the scale after an overflow and raises "
             "it after a run of good steps.", failure="no-scaler-update")

    (mine, ref), (d_mine, d_ref), seen = _run(ex, torch.bfloat16, False, ce, seed=2)
    if seen and seen[0] != torch.bfloat16:
        fail(f"With amp_dtype = torch.bfloat16 your first layer computed in {seen[0]}: pass amp_dtype to autocast "
             "rather than a fixed dtype.", failure="no-autocast")
    if not _close(d_mine, d_ref):
        fail("With bfloat16 and a disabled scaler (enabled=False), your step's update differs from the reference.",
             "A disabled GradScaler's scale() returns the loss unchanged and its step() calls optimizer.step(), so "
             "the same four calls work.", failure="wrong-update")

    (mine, ref), (d_mine, d_ref), _ = _run(ex, torch.bfloat16, False, ce, seed=3, steps=2)
    if not _close(d_mine, d_ref):
        fail("After two bfloat16 steps your weights differ from two reference steps, though one step was right: "
             "the second step added the first step's gradients to its own.",
             "Clear the old gradients in every step: optimizer.zero_grad().",
             misconceptions=["zero-grad-is-boilerplate"], failure="missing-zero-grad")
    return ("Your step runs the model under autocast, back-propagates the scaled loss, steps and updates through the "
            "scaler, and returns the real loss; it matches a reference step in float16 and in bfloat16, and a loss "
            "whose gradients would underflow still moves the first layer.")
