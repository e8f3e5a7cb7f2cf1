"""What nn.CrossEntropyLoss wants: reference solution."""

import torch
import torch.nn as nn

criterion = nn.CrossEntropyLoss()


def compute_loss(logits, raw_labels):
    labels = raw_labels.squeeze(1).long()      # float column [N, 1] -> int64 class indices [N]
    return criterion(logits, labels)           # raw logits: the loss applies log-softmax itself


if __name__ == "__main__":
    torch.manual_seed(0)
    logits = torch.randn(6, 10, requires_grad=True)
    raw_labels = torch.tensor([[3.0], [1.0], [0.0], [9.0], [3.0], [7.0]])      # as read from the CSV
    print("loss:", compute_loss(logits, raw_labels))
