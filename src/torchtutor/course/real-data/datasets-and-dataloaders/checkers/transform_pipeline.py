"""Checker for datasets-and-dataloaders/transform-pipeline: training statistics, Compose, applied per sample."""

import numpy as np
import torch

from torchtutor.checks import Expect, Wrong, describe, fail, known

SCALE = ("Measure on the scale ToTensor produces: pixels from 0 to 1, train_images.float() / 255. Normalize runs after "
         "ToTensor, so its mean and std must be in those units.")


class Counting:
    """A transform that counts its calls and records what it was given."""

    def __init__(self):
        self.calls = 0
        self.kinds = []

    def __call__(self, image):
        self.calls += 1
        self.kinds.append(type(image).__name__)
        return torch.as_tensor(np.asarray(image), dtype=torch.float32).reshape(1, 28, 28) / 255


TENSOR_TO_TOTENSOR = known("tensor-to-totensor")
NORMALIZE_FIRST = known("normalize-before-totensor")


def _stats(images: torch.Tensor) -> tuple[float, float]:
    pixels = images.float() / 255
    return pixels.mean().item(), pixels.std().item()


def check(ex):
    train_images, test_images = ex.get("train_images"), ex.get("test_images")
    mean, std = _stats(train_images)
    test_mean, test_std = _stats(test_images)
    raw_mean, raw_std = mean * 255, std * 255

    ex.expect(
        Expect("MEAN", mean, atol=1e-4, rtol=1e-4, wrong=[
            Wrong("`MEAN` is on the 0-255 scale. " + SCALE, when=lambda v: abs(float(v) - raw_mean) < 0.05,
                  failure="stats-on-255-scale"),
            Wrong("`MEAN` was measured on the test images. Statistics come from the training data only, and the "
                  "same numbers are used for every split.", value=test_mean, failure="stats-from-test",
                  misconceptions=["normalise-with-its-own-stats"]),
            Wrong("`MEAN` is the standard deviation: the two are swapped.", value=std, failure="stats-swapped"),
            Wrong("`MEAN` is 0.1307, the full MNIST training set's value. The exercise asks for the statistics of the "
                  "training images you have: compute them from train_images.",
                  when=lambda v: abs(float(v) - 0.1307) < 5e-5 and abs(mean - 0.1307) > 5e-5, failure="typed-stats"),
        ]),
        Expect("STD", std, atol=1e-4, rtol=1e-4, wrong=[
            Wrong("`STD` is on the 0-255 scale. " + SCALE, when=lambda v: abs(float(v) - raw_std) < 0.05,
                  failure="stats-on-255-scale"),
            Wrong("`STD` was measured on the test images. Use the training images for both numbers.",
                  value=test_std, failure="stats-from-test", misconceptions=["normalise-with-its-own-stats"]),
            Wrong("`STD` is the mean: the two are swapped.", value=mean, failure="stats-swapped"),
            Wrong("`STD` is the variance; Normalize divides by the standard deviation, its square root.",
                  value=std ** 2, failure="variance-not-std"),
            Wrong("`STD` is 0.3081, the full MNIST training set's value. Compute it from train_images.",
                  when=lambda v: abs(float(v) - 0.3081) < 5e-5 and abs(std - 0.3081) > 5e-5, failure="typed-stats"),
        ]),
    )

    # the transform, on images of the checker's own
    transform = ex.get("transform")
    generator = torch.Generator().manual_seed(11)
    probe = torch.randint(0, 256, (28, 28), dtype=torch.uint8, generator=generator)
    out = ex.call(transform, probe.numpy(), errors=[NORMALIZE_FIRST], doing="Calling `transform(image)` on one uint8 "
                  "NumPy image of shape [28, 28]")
    expected = ((probe.float() / 255 - mean) / std).unsqueeze(0)
    if not isinstance(out, torch.Tensor):
        fail(f"`transform(image)` returned {describe(out)}; it should return a float tensor of shape [1, 28, 28]. "
             "Start the Compose with transforms.ToTensor().", failure="missing-totensor")
    if list(out.shape) != [1, 28, 28]:
        fail(f"`transform(image)` returned shape {list(out.shape)}; it should be [1, 28, 28], the channel first "
             "(ToTensor adds it).", failure="wrong-shape")
    if torch.allclose(out, probe.float().unsqueeze(0) / 255, atol=1e-5):
        fail("`transform(image)` scales the pixels to [0, 1] but does not normalise them.",
             "Add transforms.Normalize((MEAN,), (STD,)) after ToTensor.", failure="missing-normalize")
    if torch.allclose(out, ((probe.float() - mean) / std).unsqueeze(0), atol=1e-4):
        fail("`transform(image)` normalises the raw 0-255 pixels: ToTensor is missing, so nothing scaled them to [0, 1].",
             failure="missing-totensor")
    if torch.allclose(out, ((probe.float() / 255 - std) / mean).unsqueeze(0), atol=1e-4):
        fail("`transform(image)` subtracts STD and divides by MEAN: Normalize takes (mean, std), in that order.",
             failure="stats-swapped")
    if not torch.allclose(out, expected, atol=1e-4):
        worst = float((out - expected).abs().max())
        fail(f"`transform(image)` should give (pixel / 255 - MEAN) / STD, but it is off by up to {worst:.3g}.",
             failure="wrong-values")

    # the Dataset: lazy and per sample
    cls = ex.get("DigitDataset")
    counting = Counting()
    images = torch.randint(0, 256, (12, 28, 28), dtype=torch.uint8, generator=generator)
    labels = torch.arange(12) % 10
    dataset = ex.call(cls, images, labels, counting, doing="Creating `DigitDataset(images, labels, transform)`",
                      errors=[TENSOR_TO_TOTENSOR])
    if counting.calls:
        fail(f"Creating the Dataset called the transform {counting.calls} times, before any sample was asked for.",
             "Transforms run per sample, in __getitem__, when that sample is fetched; __init__ only stores the raw "
             "images.", failure="eager-transform", misconceptions=["transform-whole-dataset"])
    item = ex.call(lambda: dataset[4], doing="Reading `dataset[4]` (which calls __getitem__(4))",
                   errors=[TENSOR_TO_TOTENSOR])
    if item is None:
        fail("`__getitem__` still returns None: apply the transform to image `index` and return (image, label).",
             failure="placeholder")
    if counting.calls == 0:
        fail("Reading a sample never called the transform the Dataset was created with.",
             "Inside the class, use the Dataset's own transform, self.transform, not the module-level `transform`: "
             "each Dataset can be given a different one.", failure="uses-global-transform")
    if counting.calls != 1:
        fail(f"Reading one sample called the transform {counting.calls} times; it should call it once, on that sample.",
             failure="eager-transform", misconceptions=["transform-whole-dataset"])
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        fail(f"`dataset[4]` should be (image, label), but it is {describe(item)}.", failure="not-a-pair")
    image, label = item
    if not isinstance(image, torch.Tensor) or not torch.allclose(image, images[4].float().reshape(1, 28, 28) / 255):
        fail("`dataset[4]` does not return the transform of image 4.",
             "Return self.transform(self.images[index].numpy()) and the label.", failure="wrong-input")
    if int(torch.as_tensor(label)) != int(labels[4]):
        fail(f"The label of `dataset[4]` is {describe(label)}; it should be {int(labels[4])}.", failure="wrong-target")
    if counting.kinds and counting.kinds[0] == "Tensor":
        fail("`__getitem__` hands the transform a tensor. ToTensor takes a NumPy array (or a PIL image) and refuses "
             "tensors: pass self.images[index].numpy().", failure="tensor-to-totensor")

    # both splits, the training statistics
    for name, source in (("train_set", train_images), ("test_set", test_images)):
        split = ex.get(name)
        item = ex.call(lambda: split[0], doing=f"Reading `{name}[0]`", errors=[TENSOR_TO_TOTENSOR])
        image = item[0] if isinstance(item, (tuple, list)) else item
        right = ((source[0].float() / 255 - mean) / std).unsqueeze(0)
        own_mean, own_std = _stats(source)
        if isinstance(image, torch.Tensor) and image.shape == right.shape and not torch.allclose(image, right, atol=1e-4):
            if torch.allclose(image, ((source[0].float() / 255 - own_mean) / own_std).unsqueeze(0), atol=1e-4):
                fail(f"`{name}` is normalised with its own statistics. Every split uses the training MEAN and STD: "
                     "the model learned on inputs prepared that way.", failure="stats-from-test",
                     misconceptions=["normalise-with-its-own-stats"])
            fail(f"`{name}[0]` is not image 0 of its split prepared by `transform`.", failure="wrong-input")
        if not isinstance(image, torch.Tensor) or image.shape != right.shape:
            fail(f"`{name}[0]` should be (image [1, 28, 28], label), but it is {describe(item)}.", failure="wrong-shape")
    return (f"MEAN = {mean:.4f} and STD = {std:.4f} from the training pixels in [0, 1]; the transform gives "
            "(pixel / 255 - MEAN) / STD with the channel first; the Dataset calls it once per sample fetched, never "
            "up front; and both splits use the training statistics.")
