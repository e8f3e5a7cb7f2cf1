"""A mixed-precision training step: reference solution."""

import torch


def train_step(model, criterion, optimizer, scaler, inputs, targets, device_type, amp_dtype):
    optimizer.zero_grad()
    with torch.autocast(device_type, dtype=amp_dtype):     # forward and loss in mixed precision
        loss = criterion(model(inputs), targets)
    scaler.scale(loss).backward()                           # gradients of the scaled loss survive float16
    scaler.step(optimizer)                                  # unscale, skip the step if anything is inf
    scaler.update()                                         # adjust the scale for the next step
    return loss.item()
