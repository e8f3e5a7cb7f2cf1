# Source: reczoo/FuxiCTR, the MultiHeadSelfAttention layer used by AutoInt, DESTINE and InterHAt,
#   before the fix for issue #30
# Bug: issue #30 "MultiHeadAttention bug when num_heads is greater than 1" (labelled bug, closed):
#   heads were split with query.view(batch_size * num_heads, -1, attention_dim), which cuts each
#   head out of the wrong memory; the fix is .view(batch_size, seq_len, num_heads, dim).transpose(1, 2)
# Licence of the original: not checked; this file contains no code from it
# Expected: view-instead-of-permute
# This file is a minimal reproduction written for this corpus of the reported layer inside a small
# AutoInt-style click-through model (field embeddings -> two self-attention layers with 2 heads and
# a residual projection -> a linear logit, BCEWithLogitsLoss, Adam); no code was copied. The data
# are 8 synthetic categorical fields whose label depends on two of them.
import torch
import torch.nn as nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, dim, num_heads=2):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.W_q = nn.Linear(dim, dim, bias=False)
        self.W_k = nn.Linear(dim, dim, bias=False)
        self.W_v = nn.Linear(dim, dim, bias=False)
        self.W_res = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b = x.size(0)
        query = self.W_q(x).view(b * self.num_heads, -1, self.head_dim)
        key = self.W_k(x).view(b * self.num_heads, -1, self.head_dim)
        value = self.W_v(x).view(b * self.num_heads, -1, self.head_dim)
        scores = torch.softmax(query @ key.transpose(1, 2) / self.head_dim ** 0.5, dim=-1)
        out = (scores @ value).view(b, -1, self.num_heads * self.head_dim)
        return torch.relu(out + self.W_res(x))


class AutoInt(nn.Module):
    def __init__(self, fields=8, vocab=20, dim=16):
        super().__init__()
        self.emb = nn.Embedding(fields * vocab, dim)
        self.offsets = torch.arange(fields) * vocab
        self.attn = nn.Sequential(MultiHeadSelfAttention(dim), MultiHeadSelfAttention(dim))
        self.fc = nn.Linear(fields * dim, 1)

    def forward(self, x):
        h = self.attn(self.emb(x + self.offsets))
        return self.fc(h.flatten(1)).squeeze(1)


torch.manual_seed(0)
X = torch.randint(0, 20, (1024, 8))
y = ((X[:, 0] + X[:, 3]) % 2 == 0).float()
model = AutoInt()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()
for epoch in range(2):
    model.train()
    for i in range(0, 1024, 64):
        optimizer.zero_grad()
        loss = criterion(model(X[i:i + 64]), y[i:i + 64])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
