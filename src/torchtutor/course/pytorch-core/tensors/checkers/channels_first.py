"""Checker for tensors/channels-first."""

import torch

from torchtutor.checks import Expect, Wrong, known

N, H, W, C = 2, 4, 5, 3
IMAGES = torch.arange(N * H * W * C, dtype=torch.float32).reshape(N, H, W, C)
CHANNELS_FIRST = IMAGES.permute(0, 3, 1, 2)      # what a correct conversion gives: not contiguous
FLAT = CHANNELS_FIRST.reshape(N, -1)


def _view_refused(name):
    return known("view-non-contiguous", name=name)


EXPECT = [
    Expect("to_channels_first", CHANNELS_FIRST, args=(IMAGES,), label="to_channels_first(images)",
           errors=[_view_refused("to_channels_first")], wrong=[
        Wrong("`to_channels_first` has the right shape but scrambles the pixels: reshape (or view) does not move axes.",
              value=IMAGES.reshape(N, C, H, W),
              details=["reshape keeps the numbers in their memory order and only regroups them, so the new "
                       "'channel' axis gets a run of neighbouring values from mixed channels and pixels. "
                       "To move the channel axis you need permute: images.permute(0, 3, 1, 2)."],
              misconceptions=["reshape-moves-axes"], failure="reshape-not-permute"),
        Wrong(f"`to_channels_first` returned shape [{N}, {C}, {W}, {H}]: height and width swapped places.",
              details=["transpose(1, 3) swaps only axes 1 and 3, so W ends up before H. "
                       "permute(0, 3, 1, 2) names the whole new order at once: N, C, H, W."],
              when=lambda t: tuple(t.shape) == (N, C, W, H), failure="wrong-axis-order"),
    ]),
    # flatten the output of a correct conversion: not contiguous, like a real pipeline's
    Expect("flatten_images", FLAT, args=(CHANNELS_FIRST,), label="flatten_images(images)",
           errors=[_view_refused("flatten_images")], wrong=[
        Wrong(f"`flatten_images` flattened the batch axis too: one long vector of shape [{N * C * H * W}] "
              f"instead of one row per image, [{N}, {C * H * W}].",
              details=["Keep axis 0: images.reshape(images.shape[0], -1), or images.flatten(start_dim=1)."],
              when=lambda t: tuple(t.shape) == (N * C * H * W,), failure="wrong-shape"),
        Wrong(f"`flatten_images` returned shape [{C * H * W}, {N}]: one column per image instead of one row.",
              details=["The -1 goes last: reshape(N, -1) puts the N images on the rows."],
              when=lambda t: tuple(t.shape) == (C * H * W, N), failure="wrong-shape"),
        Wrong("`flatten_images` has the right shape but not each image's values in (C, H, W) order.",
              value=IMAGES.reshape(N, -1),
              details=["It looks as if the channel-last layout was flattened (H, W, C order). Flatten the "
                       "channel-first tensor you were given, as it is."],
              failure="wrong-values"),
    ]),
    # and a contiguous input works as well
    Expect("flatten_images", FLAT, args=(CHANNELS_FIRST.contiguous(),), label="flatten_images(contiguous images)"),
]
PASSED = ("to_channels_first puts the channel axis second with every pixel value where it belongs, and "
          "flatten_images gives one row per image, from non-contiguous memory as well.")
