"""Milestone 4: the complete pipeline                                (independent)

Step 5 of the method: everything the series taught, in one function you could
run on any dataset of 28 x 28 images. There is no skeleton: the lesson's
"Your project" section lists what the pipeline does, and the reference,
`torchtutor project fashion-mnist`, shows it running.

Write three functions.

- `prepare(images)`: uint8 images [N, 28, 28] -> the float tensor your model
  takes (fixed normalisation statistics).
- `build_model()`: a fresh, untrained instance of your model.
- `run_pipeline(train_images, train_labels, test_images, test_labels, out_dir,
  max_epochs=10, patience=2)`: train and report. It
  - splits a validation set off the training images and uses it, never the
    test images, to decide which epoch is best;
  - trains for at most `max_epochs` epochs, and stops early once validation
    accuracy has not improved for `patience` epochs in a row;
  - after every epoch saves a checkpoint, a dict with at least "model" (the
    model's state_dict), "optimizer" (the optimizer's state_dict) and "epoch"
    (counted from 1), to one file in `out_dir`, and whenever validation
    accuracy improves also to a second file, the best checkpoint;
  - at the end loads the best checkpoint back and measures that model on the
    test images.
  It returns a dict:
    "checkpoint"       path of the best checkpoint
    "last_checkpoint"  path of the checkpoint of the last epoch run
    "best_epoch"       the epoch the best checkpoint holds
    "val_accuracy"     list of validation accuracies, one per epoch run
    "test_accuracy"    test accuracy of the best model (a float, 0 to 1)
    "per_class"        {class name: test accuracy of that class}, all ten
  The class names are load_dataset("fashion-mnist").classes, in label order.

What the checker does: it calls run_pipeline on the first 2,000 images of the
shipped training sample and the sample's 1,000 test images, with
max_epochs=10 and patience=1, in a fresh folder. Then it checks what was left
behind: it loads your best checkpoint into a new build_model() and measures
that model on the test images itself (at least 76%, and the same number you
report), compares your per-class table with its own, checks that the best
checkpoint holds the epoch with the best validation accuracy, that the last
checkpoint holds the last epoch, and that the run stopped where patience says.
"""

import torch
import torch.nn as nn

from torchtutor.data import load_dataset


def prepare(images):
    return None  # your code here


def build_model():
    return None  # your code here


def run_pipeline(train_images, train_labels, test_images, test_labels, out_dir, max_epochs=10, patience=2):
    return None  # your code here


if __name__ == "__main__":
    train = load_dataset("fashion-mnist", "train", sample=True)
    test = load_dataset("fashion-mnist", "test", sample=True)
    report = run_pipeline(*train, *test, out_dir="fashion-run")
    print(report)
