# Source: pytorch/examples, word_language_model/main.py + model.py at commit 1800513^ (the parent of
#   1800513), run as `python main.py --model Transformer`
# Fixed by: pytorch/examples PR #721 "Remove for double usage of log_softmax" (commit 1800513):
#   TransformerModel.forward returned F.log_softmax(output, dim=-1) while main.py trained it with
#   nn.CrossEntropyLoss, which applies log_softmax again (the fix switched main.py to nn.NLLLoss)
# Licence of the original: BSD-3-Clause
# Expected: softmax-before-cross-entropy (as info: harmless numerically, but a misunderstanding)
# This file is a reproduction written for this corpus from the original's structure
# (TransformerModel: embedding * sqrt(ninp), sinusoidal PositionalEncoding with dropout,
# nn.TransformerEncoder with a square subsequent mask, linear decoder, log_softmax; batchify /
# get_batch over a token stream; model.zero_grad, clip_grad_norm_ 0.25, hand-written SGD update
# through p.data; evaluate() in eval mode under no_grad); no code was copied. The bug is kept.
# Changes: Wikitext-2 (CC BY-SA, not shipped) -> a synthetic token stream (a seeded random walk over
#   a 200-word vocabulary); emsize/nhid 200 -> 32, 2 heads, 2 layers, bptt 35 -> 20, lr 20 -> 5,
#   2 epochs over 1500 tokens (300 validation); the three files merged into one.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1111)
NTOKENS, BPTT, BATCH, EVAL_BATCH = 200, 20, 10, 5


def token_stream(n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.cumsum(torch.randint(-3, 4, (n,), generator=g), 0).remainder(NTOKENS)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1).t().contiguous()


def get_batch(source, i):
    seq_len = min(BPTT, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=500):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        return self.dropout(x + self.pe[: x.size(0), :])


class TransformerModel(nn.Module):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.2):
        super().__init__()
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        layer = nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, src):
        if self.src_mask is None or self.src_mask.size(0) != len(src):
            self.src_mask = nn.Transformer.generate_square_subsequent_mask(len(src))
        src = self.pos_encoder(self.encoder(src) * math.sqrt(self.ninp))
        output = self.decoder(self.transformer_encoder(src, self.src_mask))
        return F.log_softmax(output, dim=-1)


train_data = batchify(token_stream(1500, 0), BATCH)
val_data = batchify(token_stream(300, 1), EVAL_BATCH)
model = TransformerModel(NTOKENS, 32, 2, 32, 2)
criterion = nn.CrossEntropyLoss()
lr = 5.0


def evaluate(source):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, BPTT):
            data, targets = get_batch(source, i)
            output = model(data)
            total += len(data) * criterion(output.view(-1, NTOKENS), targets).item()
    return total / (len(source) - 1)


def train_epoch(epoch):
    model.train()
    for batch, i in enumerate(range(0, train_data.size(0) - 1, BPTT)):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        output = model(data)
        loss = criterion(output.view(-1, NTOKENS), targets)
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
