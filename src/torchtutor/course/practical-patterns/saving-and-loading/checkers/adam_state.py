"""Checker for saving-and-loading/adam-state: Adam's stored averages, read from state_dict() and computed by hand."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, describe, expect_tensor, fail


def _real_adam(grads: list[torch.Tensor], betas: tuple[float, float]) -> tuple[torch.Tensor, torch.Tensor]:
    """Feed the gradients to a real torch.optim.Adam, one step each, and read its state."""
    p = torch.zeros_like(grads[0], requires_grad=True)
    adam = torch.optim.Adam([p], lr=0.01, betas=betas)
    for g in grads:
        p.grad = g.clone()
        adam.step()
    state = adam.state_dict()["state"][0]
    return state["exp_avg"].clone(), state["exp_avg_sq"].clone()


def _by_formula(grads, betas, *, corrected=False, swapped=False, squared=True):
    b1, b2 = betas
    m = torch.zeros_like(grads[0])
    v = torch.zeros_like(grads[0])
    for g in grads:
        if swapped:
            m = (1 - b1) * m + b1 * g
            v = (1 - b2) * v + b2 * (g ** 2 if squared else g)
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * (g ** 2 if squared else g)
    if corrected:
        t = len(grads)
        m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return m, v


def check(ex):
    optimizer = ex.get("optimizer")
    model = ex.get("model")
    if not isinstance(optimizer, torch.optim.Adam) or not isinstance(model, nn.Module):
        fail("Keep the exercise's `model` and `optimizer` (torch.optim.Adam) as they are: part 1 reads them.",
             failure="wrong-type")
    state = optimizer.state_dict()["state"]
    weight, bias = state[0], state[1]

    for name, key in (("exp_avg", "exp_avg"), ("exp_avg_sq", "exp_avg_sq")):
        value = ex.get(name)
        other = "exp_avg_sq" if key == "exp_avg" else "exp_avg"
        expect_tensor(value, weight[key], name=name, wrong=[
            Wrong(f"`{name}` is the bias's entry (state[1]). The weight is the first parameter of "
                  "model.parameters(), so its state is state[0].", when=lambda v, k=key: isinstance(v, torch.Tensor)
                  and v.shape == bias[k].shape and torch.allclose(v, bias[k]), failure="wrong-entry"),
            Wrong(f"`{name}` holds {other}, the other average.", when=lambda v, o=other: isinstance(v, torch.Tensor)
                  and v.shape == weight[o].shape and torch.allclose(v, weight[o]), failure="read-state-wrong"),
            Wrong(f"`{name}` holds the weight's current gradient, not the running average Adam stored.",
                  when=lambda v: isinstance(v, torch.Tensor) and model.weight.grad is not None
                  and v.shape == model.weight.grad.shape and torch.allclose(v, model.weight.grad),
                  failure="read-state-wrong"),
        ])
    steps = ex.get("steps")
    want_steps = int(weight["step"])
    try:
        steps_value = float(steps)
    except (TypeError, ValueError):
        fail(f"`steps` should be a number, but it is {describe(steps)}.", failure="wrong-type")
    if steps_value != want_steps:
        fail(f"`steps` is {steps_value:g}, but Adam's state counts {want_steps} steps for the weight.",
             "It is under optimizer.state_dict()['state'][0]['step'].", failure="wrong-value")

    # Part 2, on gradients and betas the learner has not seen.
    g = torch.Generator().manual_seed(7)
    grads = [torch.randn(2, 3, generator=g) for _ in range(4)]
    betas = (0.8, 0.95)
    want_m, want_v = _real_adam(grads, betas)
    result = ex.call("adam_moments", [t.clone() for t in grads], betas)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"`adam_moments(grads, betas)` should return a pair (exp_avg, exp_avg_sq), but it returned "
             f"{describe(result)}.", failure="placeholder" if result is None else "wrong-type")
    m, v = result
    corrected = _by_formula(grads, betas, corrected=True)
    swapped = _by_formula(grads, betas, swapped=True)
    plain = _by_formula(grads, betas, squared=False)
    same = lambda a, b: isinstance(a, torch.Tensor) and a.shape == b.shape and torch.allclose(a, b, atol=1e-6)  # noqa: E731
    if same(m, corrected[0]) or same(v, corrected[1]):
        fail("Your averages are bias-corrected: divided by (1 - beta ** t).",
             "Adam applies the correction when it computes each step, but it stores the raw averages: "
             "m = beta1 * m + (1 - beta1) * g and v = beta2 * v + (1 - beta2) * g ** 2, starting from zero.",
             failure="bias-corrected")
    if same(m, swapped[0]) or same(v, swapped[1]):
        fail("The weights of the running average are swapped: the new gradient got beta, the old average (1 - beta).",
             "beta weighs the memory: m = beta1 * m + (1 - beta1) * g, so a beta of 0.9 keeps 90% of the old average.",
             failure="weights-swapped")
    if same(v, plain[1]):
        fail("`exp_avg_sq` averages the gradients themselves; it should average their squares.",
             "v = beta2 * v + (1 - beta2) * g ** 2, element by element.", failure="not-squared")
    expect_tensor(m, want_m, name="adam_moments(...)[0] (exp_avg)", atol=1e-6)
    expect_tensor(v, want_v, name="adam_moments(...)[1] (exp_avg_sq)", atol=1e-6)
    return ("Your formulas reproduce a real Adam's stored state, on the checker's gradients and betas: exp_avg is the "
            "momentum, exp_avg_sq the running average of squared gradients, both raw (bias correction is applied "
            "only when the step is computed). That history is what a checkpoint must keep.")
