"""Checker for fashion-mnist-project/meet-the-classes."""

import torch
from _project_data import CLASSES, TRAIN, subset_without

from torchtutor.checks import Expect, Wrong, describe, fail


def _reference_means(images, labels):
    pixels = images.float() / 255
    return torch.stack([pixels[labels == k].mean(dim=0) for k in range(10)])


def _pairs(means):
    flat = means.reshape(10, -1)
    d = torch.nan_to_num(torch.cdist(flat, flat), nan=float("inf"))
    d.fill_diagonal_(float("inf"))
    i, j = divmod(int(d.argmin()), 10)
    far = torch.where(torch.isinf(d), torch.tensor(-1.0), d)
    a, b = divmod(int(far.argmax()), 10)
    return {CLASSES[i], CLASSES[j]}, {CLASSES[a], CLASSES[b]}


images, labels = TRAIN.images, TRAIN.labels
sub_images, sub_labels = subset_without(images, labels, missing=9, size=1500)
order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(1))[:2000]
half_images, half_labels = images[order], labels[order]
counts = torch.bincount(labels, minlength=10)

EXPECT = [
    Expect("class_counts", counts, args=(labels,), label="class_counts(labels)", wrong=[
        Wrong("`class_counts` returned the counts as floats; counts are whole numbers (int64), as bincount gives.",
              when=lambda t: isinstance(t, torch.Tensor) and t.is_floating_point(), failure="wrong-dtype"),
    ]),
    Expect("class_counts", torch.bincount(sub_labels, minlength=10), args=(sub_labels,),
           label="class_counts(labels) on a subset with no Ankle boots", wrong=[
        Wrong("On a subset without any Ankle boot, `class_counts` returned 9 counts: the missing class vanished "
              "from the end. There are always ten classes; torch.bincount(labels, minlength=10) keeps them.",
              when=lambda t: isinstance(t, torch.Tensor) and tuple(t.shape) == (9,), failure="missing-class"),
    ]),
    Expect("mean_images", _reference_means(images, labels), args=(images, labels), label="mean_images(images, labels)",
           atol=1e-4, wrong=[
        Wrong("`mean_images` holds raw pixel values up to 255: scale the pixels to [0, 1] (divide by 255).",
              when=lambda t: isinstance(t, torch.Tensor) and t.is_floating_point() and float(t.max()) > 1.5,
              failure="not-scaled"),
        Wrong("`mean_images` gave one average image of the whole dataset, not one per class: select each class "
              "with images[labels == k] first.", when=lambda t: isinstance(t, torch.Tensor) and t.shape[0] == 1,
              failure="wrong-shape"),
    ]),
]


def check(ex):
    for imgs, labs, where in ((images, labels, "on the sample"),
                              (half_images, half_labels, "on a random half of the sample")):
        near, far = _pairs(_reference_means(imgs, labs))
        got = ex.call("closest_pair", imgs, labs, CLASSES, doing=f"Calling `closest_pair(...)` {where}")
        if got is None:
            fail("`closest_pair(...)` returned None: replace `return None` with your code.", failure="placeholder")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"`closest_pair` should return a pair of class names, but it returned {describe(got)}.",
                 failure="wrong-type")
        if all(isinstance(g, int) or (isinstance(g, torch.Tensor) and g.numel() == 1) for g in got):
            fail(f"`closest_pair` returned class indices {tuple(int(g) for g in got)}; return their names: "
                 "classes[i], classes[j].", failure="indices-not-names")
        names = set(got)
        if len(names) == 1:
            fail(f"`closest_pair` {where} returned {got[0]!r} twice: every class is at distance 0 from itself.",
                 "Leave the diagonal of the distance matrix out, for example with "
                 "distance.fill_diagonal_(float('inf')), before looking for the smallest distance.",
                 failure="same-class-twice")
        if names == far:
            fail(f"`closest_pair` {where} returned the two classes that are furthest apart, {tuple(got)}: "
                 "argmin, not argmax.", failure="furthest-pair")
        if names != near:
            fail(f"`closest_pair` {where} returned {tuple(got)}; the two classes whose average images are closest "
                 f"are {tuple(sorted(near))}.",
                 "Compare the flattened average images with the Euclidean distance (torch.cdist), ignoring each "
                 "class's distance to itself.",
                 failure="wrong-pair")
    return ("Ten counts even when a class is missing, one average image per class, and the closest pair, "
            f"{' and '.join(sorted(_pairs(_reference_means(images, labels))[0]))}: the tops crowd together.")
