# Source: zjunlp/HVPNeT, modules/train.py (NERTrainer.multiModal_before_train) before the fix
#   reported in issue #5
# Bug: issue #5 "Not putting parameters into optimizer but still trainable": the parameter groups
#   for the CRF and the final fc layer were built but never appended to the list given to the
#   optimizer, so those layers kept their initial weights; the maintainers confirmed it
# Licence of the original: not checked; this file contains no code from it
# Expected: optimizer-missing-params
# This file is a minimal reproduction written for this corpus of the reported structure (an
# encoder and a tagging head built as parameter groups with their own learning rates, a `parameters`
# list given to AdamW, the head's group built and never appended); no code was copied. The BERT
# encoder and CRF are replaced by an embedding + GRU and a linear emission layer over synthetic tags.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
V, TAGS, H = 50, 5, 32


class NERModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = nn.Sequential(nn.Embedding(V, H))
        self.rnn = nn.GRU(H, H, batch_first=True)
        self.fc = nn.Linear(H, TAGS)

    def forward(self, tokens):
        out, _ = self.rnn(self.bert(tokens))
        return self.fc(out)


model = NERModel()
parameters = []
params = {"lr": 1e-3, "params": [p for n, p in model.named_parameters() if n.startswith("bert")]}
parameters.append(params)
params = {"lr": 1e-3, "params": [p for n, p in model.named_parameters() if n.startswith("rnn")]}
parameters.append(params)
params = {"lr": 5e-2, "params": [p for n, p in model.named_parameters() if n.startswith("fc")]}
# (the fix: parameters.append(params))
optimizer = torch.optim.AdamW(parameters, lr=1e-3)

tokens = torch.randint(0, V, (128, 12))
tags = tokens % TAGS
for epoch in range(3):
    model.train()
    for i in range(0, 128, 16):
        optimizer.zero_grad()
        logits = model(tokens[i:i + 16])
        loss = F.cross_entropy(logits.reshape(-1, TAGS), tags[i:i + 16].reshape(-1))
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
