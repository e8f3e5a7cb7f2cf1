"""Checker for mnist-classifier/cross-entropy-api: raw logits and int64 class indices into nn.CrossEntropyLoss."""

import torch
import torch.nn.functional as F

from torchtutor.checks import Wrong, describe, expect_close, fail, known

torch.manual_seed(4)
LOGITS = torch.randn(8, 10) * 2
LABELS = torch.tensor([3, 1, 0, 9, 3, 7, 2, 5])
RAW = LABELS.float().reshape(-1, 1)            # as read from a CSV file: floats in a column

LABEL_ERRORS = [known("labels-in-a-column", "float-labels")]


def check(ex):
    logits = LOGITS.clone().requires_grad_(True)
    loss = ex.call("compute_loss", logits, RAW.clone(), errors=LABEL_ERRORS,
                   doing="Calling `compute_loss(logits, raw_labels)` with labels of shape [8, 1]")
    right = F.cross_entropy(LOGITS, LABELS).item()
    if not isinstance(loss, torch.Tensor):
        fail(f"`compute_loss` returned {describe(loss)}; return the loss tensor itself (no .item()), so that "
             "loss.backward() can train the model.", failure="not-a-tensor")
    if loss.numel() != 1:
        fail(f"`compute_loss` returned {describe(loss)}: one loss per sample. The batch loss is one number; "
             "nn.CrossEntropyLoss() averages by default.", failure="not-scalar")
    softmax_first = F.cross_entropy(torch.softmax(LOGITS, dim=1), LABELS).item()
    expect_close(loss.detach().reshape(()).item(), right, name="compute_loss(logits, raw_labels)", atol=1e-5, wrong=[
        Wrong("The loss is computed on softmax probabilities. nn.CrossEntropyLoss applies log-softmax to its "
              "input itself, so softmax is applied twice: the loss is squashed (it can never fall below "
              "log(1 + 9/e) = 1.46 for ten classes) and its gradients shrink.",
              value=softmax_first, failure="softmax-before-cross-entropy", misconceptions=["softmax-before-cross-entropy"],
              details=["Give the loss the raw logits, exactly as the model returned them."]),
        Wrong("The loss is the sum over the batch (reduction='sum'); the default mean is what the lesson uses.",
              value=F.cross_entropy(LOGITS, LABELS, reduction="sum").item(), failure="sum-not-mean"),
    ])
    if loss.grad_fn is None:
        fail("The loss has the right value but no graph back to the logits: loss.backward() would train nothing.",
             "Compute it from the logits tensor you were given, without .detach(), .item() or torch.tensor(...).",
             failure="detached-loss")
    loss.backward()
    expected = torch.softmax(LOGITS, dim=1) - F.one_hot(LABELS, 10)
    if logits.grad is None or not torch.allclose(logits.grad * len(LABELS), expected, atol=1e-5):
        fail("The loss has the right value, but its gradient with respect to the logits is not the cross-entropy's.",
             "Compute it with nn.CrossEntropyLoss on the logits themselves.", failure="wrong-gradient")
    return (f"Raw logits and int64 class indices of shape [8]: the loss is {right:.4f}, -log(p_correct) averaged, "
            "and its gradient is (softmax - one_hot) / N, so backward() trains the model.")
