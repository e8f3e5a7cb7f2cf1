"""Checker for mnist-classifier/inference: a predict function that prepares, switches to eval and records nothing."""

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail, known
from torchtutor.data import load_dataset

import _models as md

SINGLE = known("single-image-no-batch")
RAW = known("raw-pixels")


def _trained_digit_model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(64, 10))
    train = load_dataset("mnist", "train", sample=True)
    X, y = md.prepare(train.images[:2000]), train.labels[:2000]
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for start in range(0, 2000, 100):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(X[start:start + 100]), y[start:start + 100]).backward()
        optimizer.step()
    return model


def _predict(ex, model, images, doing):
    result = ex.call("predict", model, images, errors=[SINGLE, RAW], doing=doing)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"`predict` should return (classes, confidence), but it returned {describe(result)}.",
             failure="placeholder" if result is None else "not-a-pair")
    return result


def check(ex):
    torch.set_num_threads(1)
    model = _trained_digit_model()
    images = load_dataset("mnist", "test", sample=True).images[:64]
    model.eval()
    with torch.no_grad():
        logits = model(md.prepare(images))
        probabilities = torch.softmax(logits, dim=1)
        raw_scaled = model((images.float() / 255).unsqueeze(1)).argmax(dim=1)
    confidence_right, classes_right = probabilities.max(dim=1)

    model.train()                               # as training left it
    watch = md.ModeWatch(model)
    with watch:
        classes, confidence = _predict(ex, model, images.clone(), "Calling `predict(model, images)` on 64 images")
    md.expect_evaluation_passes(watch, "`predict`")
    if not isinstance(classes, torch.Tensor) or list(classes.shape) != [64]:
        fail(f"The classes for 64 images should be a tensor of shape [64], but they are {describe(classes)}.",
             failure="wrong-shape")
    if classes.dtype != torch.int64:
        fail(f"The classes are {classes.dtype}; class indices are int64 (what argmax or max(dim=1).indices give).",
             failure="wrong-dtype")
    if not torch.equal(classes, classes_right):
        if torch.equal(classes, raw_scaled):
            fail("`predict` scales the pixels to [0, 1] but does not normalise them with MEAN and STD: the model "
                 "sees inputs unlike anything it trained on.", "Use prepare_for_training(images), the training "
                 "preparation, unchanged.", failure="not-normalised", misconceptions=["raw-pixels-at-inference"])
        wrong = int((classes != classes_right).sum())
        fail(f"`predict` disagrees with the model's real predictions on {wrong} of 64 images.",
             "Prepare like training, then take argmax over the classes (dim=1).", failure="wrong-classes")
    if not isinstance(confidence, torch.Tensor) or list(confidence.shape) != [64]:
        fail(f"The confidence for 64 images should be a tensor of shape [64], but it is {describe(confidence)}.",
             failure="wrong-shape")
    if torch.allclose(confidence, logits.max(dim=1).values, atol=1e-4):
        fail("The confidence is the largest logit, not a probability: logits are scores, any real number.",
             "torch.softmax(logits, dim=1) turns them into probabilities; the confidence is the largest one.",
             failure="logits-not-probabilities")
    if not torch.allclose(confidence, confidence_right, atol=1e-4):
        fail("The confidence is not the softmax probability of the predicted class.",
             "probabilities = torch.softmax(logits, dim=1) (over the classes of each row); "
             "confidence, classes = probabilities.max(dim=1).", failure="wrong-confidence")

    with md.ModeWatch(model):
        one_class, one_confidence = _predict(ex, model, images[0].clone(), "Calling `predict(model, image)` on one "
                                             "image of shape [28, 28]")
    if not isinstance(one_class, torch.Tensor) or one_class.reshape(-1).tolist() != classes_right[:1].tolist():
        fail(f"For one image `predict` returned {describe(one_class)}; it should be a tensor holding one class, "
             f"{int(classes_right[0])}.", failure="single-image-no-batch")
    second, _ = _predict(ex, model, images.clone(), "Calling `predict(model, images)` again")
    if not torch.equal(second, classes):
        fail("Called twice on the same images, `predict` gives different classes.", failure="not-deterministic")
    return (f"Prepared like the training data, in eval mode and without recording, `predict` matches the model's "
            f"own predictions on 64 test digits (confidence from {float(confidence.min()):.2f} to "
            f"{float(confidence.max()):.2f}) and on a single [28, 28] image.")
