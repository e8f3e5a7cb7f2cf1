"""What nn.CrossEntropyLoss wants                                      (guided)

A colleague's classifier trains badly, and their loss function is the reason. Their
model returns raw logits, shape [N, 10]. The labels come from a CSV file, so they
arrive as floats in a column, shape [N, 1]. To make the loss run they added a
softmax and a one-hot encoding, and the loss now never falls much below 1.5.

Rewrite `compute_loss(logits, raw_labels)` so that it returns the cross-entropy loss
of the batch (one number, a 0-d tensor with its graph) computed with
nn.CrossEntropyLoss the way it is meant to be called: raw logits in, one integer
class index per sample in.

The checker calls `compute_loss` on logits and column labels of its own.

Done when: the value equals -log(p_correct) averaged over the batch, and it carries
the graph back to the logits, so that loss.backward() would train the model. Run this
file to print the loss for a random batch.
"""

import torch
import torch.nn as nn

criterion = nn.CrossEntropyLoss()


def compute_loss(logits, raw_labels):
    probs = torch.softmax(logits, dim=1)                          # "the loss wants probabilities"
    one_hot = nn.functional.one_hot(raw_labels.squeeze(1).long(), num_classes=logits.shape[1]).float()
    return criterion(probs, one_hot)


if __name__ == "__main__":
    torch.manual_seed(0)
    logits = torch.randn(6, 10, requires_grad=True)
    raw_labels = torch.tensor([[3.0], [1.0], [0.0], [9.0], [3.0], [7.0]])      # as read from the CSV
    print("loss:", compute_loss(logits, raw_labels))
