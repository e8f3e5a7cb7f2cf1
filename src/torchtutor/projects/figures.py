"""The run's figures as PNG files: the confusion matrix, and the loss and accuracy curves.

matplotlib draws off-screen (the Agg backend), so this works on a machine without a display.
"""

from __future__ import annotations

from pathlib import Path

import torch


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def confusion_matrix(confusion: torch.Tensor, classes: tuple[str, ...], path: Path) -> Path:
    """Rows: the true class; columns: the predicted class; each cell counts test images."""
    plt = _pyplot()
    n = len(classes)
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    ax.imshow(confusion.numpy(), cmap="Blues")
    top = confusion.max().item()
    for i in range(n):
        for j in range(n):
            value = int(confusion[i, j])
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8,
                    color="white" if value > top / 2 else "black")
    ax.set_xticks(range(n), classes, rotation=45, ha="right")
    ax.set_yticks(range(n), classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = confusion.diag().sum().item() / max(1, confusion.sum().item())
    ax.set_title(f"Confusion matrix on the test set (accuracy {accuracy:.2%})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def curves(history, path: Path) -> Path:
    """Loss (left) and accuracy (right) per epoch, for the training, validation and test splits."""
    plt = _pyplot()
    epochs = [e.epoch for e in history]
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for split, style in (("train", "-o"), ("val", "-s"), ("test", "-^")):
        loss_ax.plot(epochs, [getattr(e, f"{split}_loss") for e in history], style, label=split, markersize=4)
        acc_ax.plot(epochs, [100 * getattr(e, f"{split}_acc") for e in history], style, label=split, markersize=4)
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
