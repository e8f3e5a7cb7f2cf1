"""Checker for datasets-and-dataloaders/custom-dataset: __len__ and __getitem__ returning (input, target)."""

import torch
from torch.utils.data import DataLoader

from torchtutor.checks import describe, fail, known

FEATURES = torch.arange(28.0).reshape(7, 4)           # 7 samples, 4 features: every row different
TARGETS = torch.tensor([3, 1, 4, 1, 5, 9, 2])

LEN_ERRORS = [known("len-returns-none", "len-returns-shape", "len-not-int")]


def _same(a, b) -> bool:
    return isinstance(a, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)


def _check_item(ex, dataset, i: int) -> None:
    item = ex.call(lambda: dataset[i], doing=f"Reading `dataset[{i}]` (which calls __getitem__({i}))")
    x_right, y_right = FEATURES[i], TARGETS[i]
    if item is None:
        fail("`__getitem__` returns None: return the sample as a pair, (self.features[index], self.targets[index]).",
             failure="placeholder")
    if isinstance(item, dict):
        fail(f"`dataset[{i}]` is a dict. A DataLoader can stack dicts, but the training loop of the lesson unpacks "
             "`for xb, yb in loader`: return the pair (input, target).", failure="returns-dict")
    if isinstance(item, torch.Tensor):
        if _same(item, FEATURES):
            fail(f"`dataset[{i}]` returns the whole features tensor, all 7 samples at once.",
                 "A Dataset answers one index at a time: self.features[index], and its target.",
                 failure="returns-everything", misconceptions=["dataset-does-batching"])
        fail(f"`dataset[{i}]` returns one tensor, {describe(item)}, not a pair. Each sample is (input, target): "
             "the model needs both to learn.", failure="missing-target")
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        fail(f"`dataset[{i}]` should be a pair (input, target), but it is {describe(item)}.", failure="not-a-pair")
    x, y = item
    if _same(torch.as_tensor(y) if not isinstance(y, torch.Tensor) else y, x_right) and (
            isinstance(x, (int, float)) or (isinstance(x, torch.Tensor) and x.numel() == 1)):
        fail(f"`dataset[{i}]` returns (target, input): the order is swapped.",
             "The training loop unpacks `for xb, yb in loader` and feeds xb to the model, so the input must come first: "
             "return self.features[index], self.targets[index].", failure="swapped-pair")
    if isinstance(x, torch.Tensor) and _same(x, FEATURES):
        fail(f"`dataset[{i}]` returns the whole features tensor as its input instead of row {i}.",
             "Index the row: self.features[index].", failure="returns-everything",
             misconceptions=["dataset-does-batching"])
    if isinstance(x, torch.Tensor) and x.dim() == 2 and x.shape[0] == 1 and torch.equal(x[0], x_right):
        fail(f"`dataset[{i}]` returns the input with shape {list(x.shape)}: a batch of one, made by slicing "
             "(features[index:index + 1]).",
             "A sample has no batch dimension; the DataLoader adds it in front when it stacks samples, so this "
             "would give batches of shape [4, 1, 4]. Index with self.features[index], shape [4].",
             failure="sample-has-batch-dim", misconceptions=["dataset-does-batching"])
    learner_features = ex.namespace.get("features")
    if isinstance(x, torch.Tensor) and isinstance(learner_features, torch.Tensor) and i < len(learner_features) \
            and _same(x, learner_features[i]):
        fail(f"`dataset[{i}]` returns row {i} of the module-level `features`, not of the tensor this Dataset was "
             "created with.", "Inside the class, use self.features and self.targets: the checker built its own "
             "PairsDataset from other data.", failure="uses-global-data")
    if i > 0 and isinstance(x, torch.Tensor) and _same(x, FEATURES[0]):
        fail(f"`dataset[{i}]` returns sample 0: __getitem__ ignores the index it is given.",
             "Use the index: self.features[index], self.targets[index].", failure="ignores-index")
    if not _same(x, x_right):
        fail(f"The input of `dataset[{i}]` should be row {i} of the features, {x_right.tolist()}, but it is "
             f"{describe(x)}.", failure="wrong-input")
    y_tensor = y if isinstance(y, torch.Tensor) else torch.as_tensor(y) if isinstance(y, (int, float)) else None
    if y_tensor is None or y_tensor.numel() != 1 or float(y_tensor) != float(y_right):
        fail(f"The target of `dataset[{i}]` should be entry {i} of the targets, {int(y_right)}, but it is "
             f"{describe(y)}.", failure="wrong-target")


def check(ex):
    cls = ex.get("PairsDataset")
    dataset = ex.call(cls, FEATURES.clone(), TARGETS.clone(), doing="Creating `PairsDataset(features, targets)`")
    n = ex.call(len, dataset, errors=LEN_ERRORS, doing="Calling `len(dataset)`")
    if n == len(FEATURES) - 1:
        fail(f"`len(dataset)` is {n} for 7 samples: one short.",
             "len() is a count, not the last index: return len(self.features).", failure="len-off-by-one")
    if n == FEATURES.shape[1]:
        fail(f"`len(dataset)` is {n}, the number of features per sample; it should be the number of samples, 7.",
             "len(self.features) counts rows (samples); self.features.shape[1] counts columns (features).",
             failure="len-counts-features")
    if n != len(FEATURES):
        fail(f"`len(dataset)` is {n}, but the Dataset was created with 7 samples.", failure="wrong-length")
    for i in (0, 3, 6):
        _check_item(ex, dataset, i)
    try:
        xb, yb = next(iter(DataLoader(dataset, batch_size=4)))
    except Exception as exc:  # noqa: BLE001
        ex.fail_on(exc, "Serving your Dataset through DataLoader(dataset, batch_size=4)")
    if list(xb.shape) != [4, 4] or list(torch.as_tensor(yb).shape) != [4]:
        fail(f"Through DataLoader(dataset, batch_size=4) the batches have inputs {list(xb.shape)} and targets "
             f"{list(torch.as_tensor(yb).shape)}; they should be [4, 4] (4 samples of 4 features) and [4].",
             failure="wrong-batch-shape")
    return ("`len()` counts the 7 samples and `dataset[i]` returns (features[i], targets[i]); a DataLoader stacks "
            "them into batches of [4, 4] inputs and [4] targets. That is the whole Dataset abstraction.")
