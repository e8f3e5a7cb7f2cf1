"""A mixed-precision training step                                   (independent)

Write `train_step`: one step of mixed-precision training with torch.autocast
and a GradScaler, the four changed lines of the lesson.

    train_step(model, criterion, optimizer, scaler, inputs, targets,
               device_type, amp_dtype) -> float

- `device_type` is "cuda" or "cpu" (what torch.autocast takes), `amp_dtype` is
  torch.float16 or torch.bfloat16.
- `scaler` is a torch.amp.GradScaler; it may be disabled (enabled=False), as it
  is for bfloat16, and your step must work either way.
- The forward pass and the loss run under autocast; the step clears the old
  gradients, back-propagates the scaled loss, steps through the scaler and
  updates the scale.
- Return the loss of this step as a Python float: the real loss, not the
  scaled one.

What the checker does, on the CPU (whose autocast accepts float16 too): it
runs your step and its own reference step from the same weights and compares
the updated weights, the returned loss and the scale afterwards. It looks at
the dtype your model computed in, and it tries a loss so small that its
gradients vanish in float16 unless they are scaled.
"""

import torch


def train_step(model, criterion, optimizer, scaler, inputs, targets, device_type, amp_dtype):
    return None  # your code here


if __name__ == "__main__":
    import torch.nn as nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu")
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    for i in range(5):
        loss = train_step(model, nn.CrossEntropyLoss(), optimizer, scaler, x, y, "cpu", torch.float16)
        print(f"step {i}  loss {loss}  scale {scaler.get_scale():,.0f}")
