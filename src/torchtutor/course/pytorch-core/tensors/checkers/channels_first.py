"""Checker for tensors/channels-first."""

import torch

from torchtutor.checks import Wrong, expect_tensor, fail
from torchtutor.checks.api import learner_error

N, H, W, C = 2, 4, 5, 3


def _call(ex, name, arg):
    ex.function(name)
    fn = ex.namespace[name]
    try:
        out = fn(arg)
    except RuntimeError as exc:
        text = str(exc)
        if "view size is not compatible" in text:
            fail(f"`{name}` called .view() on a tensor that is not contiguous, and view refused.",
                 f"PyTorch said: {text.splitlines()[0]}",
                 "permute (and transpose) do not move any numbers: they change the strides, the steps "
                 "PyTorch takes through memory to walk each axis. The result is not laid out row by row any more, "
                 "and view can only reinterpret memory that is. Use .reshape(...), which copies when it has to, "
                 "or .contiguous().view(...).",
                 misconceptions=["view-works-on-any-tensor"], failure="view-non-contiguous")
        raise learner_error(exc, ex.file, f"Calling `{name}(...)`") from None
    except Exception as exc:
        raise learner_error(exc, ex.file, f"Calling `{name}(...)`") from None
    if out is None:
        fail(f"`{name}(...)` returned None: replace `return None` with your code.", failure="placeholder")
    return out


def check(ex):
    images = torch.arange(N * H * W * C, dtype=torch.float32).reshape(N, H, W, C)

    first = _call(ex, "to_channels_first", images.clone())
    expect_tensor(first, images.permute(0, 3, 1, 2), name="to_channels_first(images)", wrong=[
        Wrong("`to_channels_first` has the right shape but scrambles the pixels: reshape (or view) does not move axes.",
              value=images.reshape(N, C, H, W),
              details=["reshape keeps the numbers in their memory order and only regroups them, so the new "
                       "'channel' axis gets a run of neighbouring values from mixed channels and pixels. "
                       "To move the channel axis you need permute: images.permute(0, 3, 1, 2)."],
              misconceptions=["reshape-moves-axes"], failure="reshape-not-permute"),
        Wrong(f"`to_channels_first` returned shape [{N}, {C}, {W}, {H}]: height and width swapped places.",
              details=["transpose(1, 3) swaps only axes 1 and 3, so W ends up before H. "
                       "permute(0, 3, 1, 2) names the whole new order at once: N, C, H, W."],
              when=lambda t: tuple(t.shape) == (N, C, W, H), failure="wrong-axis-order"),
    ])

    # flatten the output of a correct conversion: not contiguous, like a real pipeline's
    cf = images.permute(0, 3, 1, 2)
    flat = _call(ex, "flatten_images", cf)
    expected = cf.reshape(N, -1)
    expect_tensor(flat, expected, name="flatten_images(images)", wrong=[
        Wrong(f"`flatten_images` flattened the batch axis too: one long vector of shape [{N * C * H * W}] "
              f"instead of one row per image, [{N}, {C * H * W}].",
              details=["Keep axis 0: images.reshape(images.shape[0], -1), or images.flatten(start_dim=1)."],
              when=lambda t: tuple(t.shape) == (N * C * H * W,), failure="wrong-shape"),
        Wrong(f"`flatten_images` returned shape [{C * H * W}, {N}]: one column per image instead of one row.",
              details=["The -1 goes last: reshape(N, -1) puts the N images on the rows."],
              when=lambda t: tuple(t.shape) == (C * H * W, N), failure="wrong-shape"),
        Wrong("`flatten_images` has the right shape but not each image's values in (C, H, W) order.",
              value=images.reshape(N, -1),
              details=["It looks as if the channel-last layout was flattened (H, W, C order). Flatten the "
                       "channel-first tensor you were given, as it is."],
              failure="wrong-values"),
    ])
    # and a contiguous input works as well
    flat2 = _call(ex, "flatten_images", cf.contiguous())
    expect_tensor(flat2, expected, name="flatten_images(contiguous images)")
    return "Axes moved with permute, pixels intact; flattened to one row per image even from non-contiguous memory."
