# Source: OpenNMT/OpenNMT-py, onmt/trainer.py (Trainer.validate) at commit 94cc2b6, issue #1141
# Bug: issue #1141 "torch.no_grad() in validate ?": validate() put the model in eval mode and ran
#   every validation batch with autograd on; the maintainer: "we forgot to include this during the
#   0.4 to 1.0 migration" (fixed by wrapping validation in torch.no_grad())
# Licence of the original: MIT; this file contains no code from it
# Expected: no-grad-missing
# This file is a minimal reproduction written for this corpus of the reported structure (a Trainer
# class with train() over batches and validate() that calls model.eval(), computes the loss of every
# validation batch into a statistics object and calls model.train() again, without no_grad); no
# code was copied. The seq2seq model is a small GRU encoder-decoder over synthetic copy-task data.
import torch
import torch.nn as nn

torch.manual_seed(0)
V, H, T = 20, 32, 8


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, H)
        self.enc = nn.GRU(H, H, batch_first=True)
        self.dec = nn.GRU(H, H, batch_first=True)
        self.drop = nn.Dropout(0.3)
        self.gen = nn.Linear(H, V)

    def forward(self, src, tgt_in):
        _, h = self.enc(self.drop(self.emb(src)))
        out, _ = self.dec(self.drop(self.emb(tgt_in)), h)
        return self.gen(out)


class Statistics:
    def __init__(self):
        self.loss, self.n = 0.0, 0

    def update(self, loss, n):
        self.loss += loss
        self.n += n


class Trainer:
    def __init__(self, model, optim):
        self.model, self.optim = model, optim
        self.criterion = nn.CrossEntropyLoss(reduction="sum")

    def _loss(self, src, tgt):
        logits = self.model(src, tgt[:, :-1])
        return self.criterion(logits.reshape(-1, V), tgt[:, 1:].reshape(-1))

    def train(self, batches):
        self.model.train()
        for src, tgt in batches:
            self.optim.zero_grad()
            loss = self._loss(src, tgt)
            (loss / tgt.numel()).backward()
            self.optim.step()
        return loss.item() / tgt.numel()

    def validate(self, valid_iter):
        self.model.eval()
        stats = Statistics()
        for src, tgt in valid_iter:
            loss = self._loss(src, tgt)
            stats.update(loss.item(), tgt[:, 1:].numel())
        self.model.train()
        return stats


def copy_batches(n, seed):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        src = torch.randint(2, V, (16, T), generator=g)
        out.append((src, torch.cat([torch.ones(16, 1, dtype=torch.long), src], 1)))
    return out


model = Seq2Seq()
trainer = Trainer(model, torch.optim.Adam(model.parameters(), lr=1e-3))
train_batches, valid_batches = copy_batches(12, 0), copy_batches(4, 1)
for epoch in range(2):
    loss = trainer.train(train_batches)
    stats = trainer.validate(valid_batches)
    print(f"epoch {epoch} train loss {loss:.3f} valid loss {stats.loss / stats.n:.3f}")
