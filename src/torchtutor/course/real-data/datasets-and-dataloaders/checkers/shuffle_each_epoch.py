"""Checker for datasets-and-dataloaders/shuffle-each-epoch: a reshuffling training loader, an ordered one for evaluation."""

import torch

from torchtutor.checks import fail

import _loaders as ld

N, BATCH = 40, 8


def _batch_size(sizes: list[int]) -> int:
    return sizes[0] if sizes else 0


def check(ex):
    torch.manual_seed(0)
    train_set, eval_set = ld.Numbered(N), ld.Numbered(N)

    train = ld.expect_loader(ex.call("make_train_loader", train_set, BATCH,
                                     doing="Calling `make_train_loader(train_set, 8)`"), "make_train_loader")
    if train.dataset is not train_set:
        fail("The training loader does not wrap the Dataset it was given.",
             "A DataLoader serves the Dataset it wraps and leaves it as it is: DataLoader(train_set, ...). Building a "
             "new, shuffled copy of the data first (a Subset in random order, say) is shuffling once, by hand.",
             failure="shuffled-once", misconceptions=["shuffle-once-is-enough"])
    (first, sizes), (second, _) = ld.epochs(ex, train, "your training loader")
    if sorted(first) != list(range(N)):
        fail(f"One epoch of the training loader should serve each of the {N} samples exactly once, but it served "
             f"{len(first)} samples, {len(set(first))} of them different.",
             "shuffle=True permutes the indices; it never repeats or skips a sample. (A sampler that draws with "
             "replacement does.)", failure="not-a-permutation")
    if _batch_size(sizes) != BATCH:
        fail(f"The training loader serves batches of {_batch_size(sizes)}, but make_train_loader was called with "
             f"batch_size {BATCH}.", "Pass the batch size you were given: DataLoader(train_set, batch_size=batch_size, "
             "...).", failure="ignored-batch-size")
    if first == list(range(N)):
        fail("The training loader serves the samples in their stored order, 0, 1, 2, ...: nothing shuffles them.",
             "Each batch is then a poll of neighbours. shuffle=True draws a new random order at the start of every "
             "epoch.", failure="unshuffled-training-data")
    if first == second:
        fail("The training loader serves the same shuffled order in both epochs.",
             "The order was shuffled once and then kept. shuffle=True on the DataLoader draws a fresh permutation every "
             "epoch, so no two epochs serve the same batches.",
             failure="shuffled-once", misconceptions=["shuffle-once-is-enough"])

    evaluation = ld.expect_loader(ex.call("make_eval_loader", eval_set, BATCH,
                                          doing="Calling `make_eval_loader(eval_set, 8)`"), "make_eval_loader")
    (e_first, e_sizes), (e_second, _) = ld.epochs(ex, evaluation, "your evaluation loader")
    if sorted(e_first) != list(range(N)):
        fail(f"One pass of the evaluation loader should serve each of the {N} samples once, but it served "
             f"{len(e_first)}, {len(set(e_first))} of them different.", failure="not-a-permutation")
    if _batch_size(e_sizes) != BATCH:
        fail(f"The evaluation loader serves batches of {_batch_size(e_sizes)}, but make_eval_loader was called with "
             f"batch_size {BATCH}.", failure="ignored-batch-size")
    if e_first != list(range(N)) or e_second != list(range(N)):
        fail("The evaluation loader shuffles.",
             "For evaluation the order does not change the accuracy, and a fixed order makes runs comparable: "
             "shuffle=False (the default).", failure="eval-shuffled", misconceptions=["shuffle-the-test-set"])
    return (f"The training loader served all {N} samples in a new random order each epoch "
            f"({first[:4]}... then {second[:4]}...), the evaluation loader in stored order every time: a fresh "
            "poll per epoch for training, a fixed order for measuring.")
