"""Channel-last to channel-first, then flatten: reference solution."""

import torch


def to_channels_first(images):
    return images.permute(0, 3, 1, 2)          # new axis order: N, C, H, W (old positions 0, 3, 1, 2)


def flatten_images(images):
    return images.reshape(images.shape[0], -1)  # reshape copies when the memory is not contiguous


if __name__ == "__main__":
    batch = torch.rand(8, 28, 32, 3)
    first = to_channels_first(batch)
    print(first.shape)
    print(flatten_images(first).shape)
