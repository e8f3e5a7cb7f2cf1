"""Channel-last to channel-first, then flatten  (level: supported)

Image libraries (PIL, OpenCV, matplotlib) hand you a batch of pictures laid out
as (N, H, W, C): image, row, column, then the colour channels. PyTorch's image
layers expect (N, C, H, W), channels first. And a fully connected layer wants
one row of numbers per image: (N, C*H*W).

Write two functions:

1. `to_channels_first(images)`: (N, H, W, C) -> (N, C, H, W). The value at
   images[n, h, w, c] must end up at [n, c, h, w]; the result has the same
   numbers, only the axes are reordered.
2. `flatten_images(images)`: (N, C, H, W) -> (N, C*H*W), one row per image,
   holding that image's values in (C, H, W) order.

What the checker does: calls `to_channels_first` on a small batch whose pixels
are all different and checks where every value landed (a wrong reordering can
have the right shape and still scramble the pixels). Then it calls
`flatten_images` on the output of a correct channel-first conversion, exactly
what your two functions will meet in a real pipeline, and checks shape and values.
"""

import torch


def to_channels_first(images):
    return None  # your code here


def flatten_images(images):
    return None  # your code here


if __name__ == "__main__":
    batch = torch.rand(8, 28, 32, 3)          # 8 images, 28 x 32 pixels, RGB, channel-last
    first = to_channels_first(batch)
    print(first.shape)                        # hoped for torch.Size([8, 3, 28, 32])
    print(flatten_images(first).shape)        # hoped for torch.Size([8, 2688])
