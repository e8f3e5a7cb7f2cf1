# Source: pytorch/examples, word_language_model/main.py + model.py + data.py, as of commit 28d16ff
#   (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (RNNModel:
# embedding -> dropout -> LSTM -> dropout -> linear decoder returning log_softmax, NLLLoss,
# batchify/get_batch over a token stream, hidden state repackaged between batches, model.zero_grad,
# clip_grad_norm_ 0.25 and a hand-written SGD update p.data.add_(p.grad, alpha=-lr), evaluate()
# in eval mode under no_grad, lr annealed by 4 when validation loss does not improve); no code was
# copied. The three files are merged into one.
# Changes: Wikitext-2 (CC BY-SA, not shipped) -> a synthetic token stream (a seeded random walk
#   over a 200-word vocabulary), emsize/nhid 200 -> 32, bptt 35 -> 20, 2 epochs over 1500 tokens (300 validation).
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1111)
NTOKENS, BPTT, BATCH, EVAL_BATCH = 200, 20, 10, 5


def token_stream(n, seed):
    g = torch.Generator().manual_seed(seed)
    steps = torch.randint(-3, 4, (n,), generator=g)
    return torch.cumsum(steps, 0).remainder(NTOKENS)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1).t().contiguous()


def get_batch(source, i):
    seq_len = min(BPTT, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nlayers, self.nhid = nlayers, nhid
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, inp, hidden):
        emb = self.drop(self.encoder(inp))
        output, hidden = self.rnn(emb, hidden)
        decoded = self.decoder(self.drop(output)).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


train_data = batchify(token_stream(1500, 0), BATCH)
val_data = batchify(token_stream(300, 1), EVAL_BATCH)
model = RNNModel(NTOKENS, 32, 32, 2)
criterion = nn.NLLLoss()
lr = 20.0


def evaluate(source):
    model.eval()
    total = 0.0
    hidden = model.init_hidden(EVAL_BATCH)
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, BPTT):
            data, targets = get_batch(source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total += len(data) * criterion(output, targets).item()
    return total / (len(source) - 1)


def train_epoch(epoch):
    model.train()
    hidden = model.init_hidden(BATCH)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, BPTT)):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        if batch % 5 == 0:
            print(f"| epoch {epoch} | batch {batch} | loss {loss.item():.2f} | ppl {math.exp(loss.item()):.1f}")


best = None
for epoch in range(1, 3):
    train_epoch(epoch)
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch} | valid loss {val_loss:.2f}")
    if best is None or val_loss < best:
        best = val_loss
        torch.save(model.state_dict(), "model.pt")
    else:
        lr /= 4.0
