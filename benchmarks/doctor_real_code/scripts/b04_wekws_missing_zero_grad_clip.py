# Source: wenet-e2e/wekws, kws/utils/executor.py before PR #73 (issue #72)
# Fixed by: wenet-e2e/wekws PR #73 "[fix bug] add optimizer.zero_grad() in kws/utils/executor.py":
#   Executor.train called loss.backward(), clip_grad_norm_(model.parameters(), clip=5) and
#   optimizer.step() every batch, and never zero_grad()
# Licence of the original: not checked; this file contains no code from it
# Expected: missing-zero-grad
# This file is a minimal reproduction written for this corpus of the reported loop (an Executor
# class whose train() loops over a loader with the model in train mode, gradient clipping to norm
# 5 and an optimizer step each batch, and a cv() method under no_grad); no code was copied. The
# keyword-spotting model and its feature pipeline are replaced by a small GRU over synthetic
# 40-dim "fbank" frames with 2 keyword classes.
import torch
import torch.nn as nn
from torch.nn.utils import clip_grad_norm_
from torch.utils.data import DataLoader, TensorDataset


class KWSModel(nn.Module):
    def __init__(self, feat=40, hidden=32, classes=2):
        super().__init__()
        self.gru = nn.GRU(feat, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


class Executor:
    def __init__(self):
        self.step = 0

    def train(self, model, optimizer, loader, epoch, args):
        model.train()
        clip = args.get("grad_clip", 5.0)
        for batch_idx, (feats, target) in enumerate(loader):
            logits = model(feats)
            loss = nn.functional.cross_entropy(logits, target)
            loss.backward()
            grad_norm = clip_grad_norm_(model.parameters(), clip)
            if torch.isfinite(grad_norm):
                optimizer.step()
            self.step += 1
            if batch_idx % 4 == 0:
                print(f"TRAIN epoch {epoch} batch {batch_idx} loss {loss.item():.4f} grad_norm {grad_norm:.2f}")

    def cv(self, model, loader):
        model.eval()
        total, n = 0.0, 0
        with torch.no_grad():
            for feats, target in loader:
                total += nn.functional.cross_entropy(model(feats), target, reduction="sum").item()
                n += target.numel()
        return total / n


torch.manual_seed(0)
y = torch.randint(0, 2, (256,))
x = torch.randn(256, 20, 40) + y.view(-1, 1, 1) * 0.5
train_loader = DataLoader(TensorDataset(x[:192], y[:192]), batch_size=16, shuffle=True)
cv_loader = DataLoader(TensorDataset(x[192:], y[192:]), batch_size=32)
model = KWSModel()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
executor = Executor()
for epoch in range(2):
    executor.train(model, optimizer, train_loader, epoch, {"grad_clip": 5.0})
    print(f"epoch {epoch} cv loss {executor.cv(model, cv_loader):.4f}")
