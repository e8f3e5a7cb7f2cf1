"""Linear collapse: two stacked ``nn.Linear`` layers with nothing between them are one layer.

``W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)``, so ``W_eff = W2 @ W1`` and
``b_eff = W2 @ b1 + b2`` reproduce the stack exactly. Inserting a ReLU between the two
layers breaks the identity, which is why networks need activations.
"""

from __future__ import annotations

from .errors import WidgetError

MATCH_TOLERANCE = 1e-5   # float32 rounding; a real mismatch is orders of magnitude larger
MAX_SIZE = 4096
MAX_BATCH = 100_000


def _sizes(sizes) -> tuple[int, int, int]:
    try:
        values = tuple(int(s) for s in sizes)
    except (TypeError, ValueError):
        raise WidgetError(f"sizes must be three whole numbers (in, hidden, out), not {sizes!r}.") from None
    if len(values) != 3 or not all(1 <= v <= MAX_SIZE for v in values):
        raise WidgetError(f"sizes must be three whole numbers between 1 and {MAX_SIZE} "
                          f"(in, hidden, out), not {sizes!r}.")
    return values  # type: ignore[return-value]


def linear_collapse(sizes: tuple[int, int, int] = (4, 8, 3), seed: int = 0, batch: int = 5) -> dict:
    """Show that ``Linear(a, b)`` then ``Linear(b, c)`` equals one ``Linear(a, c)``, and that a ReLU breaks it.

    Returns a JSON-serialisable dict: ``shapes`` of every weight, bias and tensor,
    ``parameters`` (count in the stack and in the equivalent single layer),
    ``without_relu`` and ``with_relu`` (each ``{max_abs_diff, matches}``: the stack's
    output against ``x @ W_eff.T + b_eff``), ``collapse_broken`` and ``summary``.
    The global RNG is left untouched.
    """
    n_in, n_hidden, n_out = _sizes(sizes)
    try:
        batch, seed = int(batch), int(seed)
    except (TypeError, ValueError):
        raise WidgetError(f"batch and seed must be whole numbers, not {batch!r} and {seed!r}.") from None
    if not 1 <= batch <= MAX_BATCH:
        raise WidgetError(f"batch must be between 1 and {MAX_BATCH}, not {batch}.")

    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        first, second = nn.Linear(n_in, n_hidden), nn.Linear(n_hidden, n_out)
        x = torch.randn(batch, n_in)
    with torch.no_grad():
        w_eff = second.weight @ first.weight
        b_eff = second.weight @ first.bias + second.bias
        collapsed = x @ w_eff.T + b_eff
        stacked = nn.Sequential(first, second)(x)
        with_relu = nn.Sequential(first, nn.ReLU(), second)(x)
        diff_plain = float((stacked - collapsed).abs().max())
        diff_relu = float((with_relu - collapsed).abs().max())

    stack_params = sum(p.numel() for p in (*first.parameters(), *second.parameters()))
    single_params = n_in * n_out + n_out
    broken = diff_relu > 1000 * MATCH_TOLERANCE
    summary = (f"Without an activation the two layers are one {n_in}->{n_out} layer: the stack and "
               f"x @ W_eff.T + b_eff differ by at most {diff_plain:.1e} (float rounding). "
               f"With a ReLU in between they differ by up to {diff_relu:.3g}: "
               + ("the collapse is broken." if broken else "this draw barely touched ReLU's kink; try another seed."))
    return {
        "widget": "linear-collapse",
        "sizes": [n_in, n_hidden, n_out],
        "seed": seed,
        "batch": batch,
        "shapes": {
            "x": list(x.shape), "W1": list(first.weight.shape), "b1": list(first.bias.shape),
            "W2": list(second.weight.shape), "b2": list(second.bias.shape),
            "W_eff": list(w_eff.shape), "b_eff": list(b_eff.shape), "output": list(stacked.shape),
        },
        "formulas": {"W_eff": "W2 @ W1", "b_eff": "W2 @ b1 + b2", "collapsed": "x @ W_eff.T + b_eff"},
        "parameters": {"stack": stack_params, "single_layer": single_params},
        "without_relu": {"max_abs_diff": diff_plain, "matches": diff_plain <= MATCH_TOLERANCE},
        "with_relu": {"max_abs_diff": diff_relu, "matches": diff_relu <= MATCH_TOLERANCE},
        "collapse_broken": broken,
        "tolerance": MATCH_TOLERANCE,
        "summary": summary,
    }
