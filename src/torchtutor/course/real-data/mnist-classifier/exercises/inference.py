"""A predict function that is safe to call                              (independent)

Training is done; now the model is used. Write the function an application would
call with new, raw images:

`predict(model, images)`: `images` is either a batch of raw MNIST images, uint8 of
shape [N, 28, 28] with pixels from 0 to 255, or one such image of shape [28, 28].
Return `(classes, confidence)`: the predicted digit of each image (int64, shape [N])
and the model's probability for that digit (float, shape [N], between 0 and 1). For
one image, N is 1.

The model was trained on images prepared by `prepare_for_training` below, it
contains dropout and batch norm, and it may arrive in either mode. Calling `predict`
must not record gradients and must give the same answer every time for the same
images.

The checker calls your `predict` on models and images of its own, in both modes, and
compares with the predictions the trained model really makes.

Done when: classes and confidence match the model's real predictions for both a
batch and a single image, twice in a row, with no gradients recorded. Run this file
to train a small model on the sample and predict five test digits.
"""

import torch
import torch.nn as nn

MEAN, STD = 0.1307, 0.3081


def prepare_for_training(images):
    """How the training data was prepared: uint8 [N, 28, 28] -> float [N, 1, 28, 28]."""
    return ((images.float() / 255 - MEAN) / STD).unsqueeze(1)


# your code here: def predict(model, images)


if __name__ == "__main__":
    from torch.utils.data import DataLoader, TensorDataset

    from torchtutor.data import load_dataset

    train_images, train_labels = load_dataset("mnist", "train", sample=True)
    test_images, test_labels = load_dataset("mnist", "test", sample=True)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3),
                          nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(prepare_for_training(train_images), train_labels), batch_size=64, shuffle=True)
    for xb, yb in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        optimizer.step()
    classes, confidence = predict(model, test_images[:5])
    print("predicted:", classes.tolist(), " true:", test_labels[:5].tolist())
    print("confidence:", [round(c, 3) for c in confidence.tolist()])
    print("one image:", predict(model, test_images[0]))
