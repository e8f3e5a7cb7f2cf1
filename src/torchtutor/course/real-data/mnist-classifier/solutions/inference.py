"""A predict function that is safe to call: reference solution."""

import torch
import torch.nn as nn

MEAN, STD = 0.1307, 0.3081


def prepare_for_training(images):
    """How the training data was prepared: uint8 [N, 28, 28] -> float [N, 1, 28, 28]."""
    return ((images.float() / 255 - MEAN) / STD).unsqueeze(1)


def predict(model, images):
    if images.dim() == 2:
        images = images.unsqueeze(0)                     # one image: a batch of one
    model.eval()                                         # dropout off, batch norm on running statistics
    with torch.no_grad():                                # nothing to record
        probabilities = torch.softmax(model(prepare_for_training(images)), dim=1)
    confidence, classes = probabilities.max(dim=1)
    return classes, confidence


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
