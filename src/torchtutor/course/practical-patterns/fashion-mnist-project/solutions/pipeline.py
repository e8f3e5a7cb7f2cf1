"""Milestone 4: the complete pipeline: reference solution (one learner's way of writing it)."""

from pathlib import Path

import torch
import torch.nn as nn

CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
MEAN, STD = 0.286, 0.353


def prepare(images):
    return ((images.float() / 255 - MEAN) / STD).reshape(len(images), -1)


def build_model():
    return nn.Sequential(
        nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 10),
    )


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


def run_pipeline(train_images, train_labels, test_images, test_labels, out_dir, max_epochs=10, patience=2):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    best_path, last_path = out / "best.pt", out / "last.pt"

    generator = torch.Generator().manual_seed(0)
    order = torch.randperm(len(train_images), generator=generator)
    n_val = len(order) // 5                                   # 20% of the training images for validation
    X = prepare(train_images).to(device)
    y = train_labels.to(device)
    X_train, y_train = X[order[n_val:]], y[order[n_val:]]
    X_val, y_val = X[order[:n_val]], y[order[:n_val]]

    model = build_model().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    criterion = nn.CrossEntropyLoss()

    val_accuracy, best_acc, best_epoch = [], -1.0, 0
    for epoch in range(1, max_epochs + 1):
        model.train()
        shuffle = torch.randperm(len(X_train), generator=generator)
        for start in range(0, len(X_train), 64):
            batch = shuffle[start:start + 64]
            optimizer.zero_grad()
            loss = criterion(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
        acc = accuracy(model, X_val, y_val)
        val_accuracy.append(acc)
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch,
                 "val_accuracy": acc}
        torch.save(state, last_path)
        if acc > best_acc:
            best_acc, best_epoch = acc, epoch
            torch.save(state, best_path)
        elif epoch - best_epoch >= patience:
            break                                             # early stopping: no improvement for `patience` epochs

    model.load_state_dict(torch.load(best_path, map_location=device)["model"])
    X_test, y_test = prepare(test_images).to(device), test_labels.to(device)
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    per_class = {name: (predicted[y_test == k] == k).float().mean().item() for k, name in enumerate(CLASSES)}
    return {"checkpoint": str(best_path), "last_checkpoint": str(last_path), "best_epoch": best_epoch,
            "val_accuracy": val_accuracy, "test_accuracy": (predicted == y_test).float().mean().item(),
            "per_class": per_class}
