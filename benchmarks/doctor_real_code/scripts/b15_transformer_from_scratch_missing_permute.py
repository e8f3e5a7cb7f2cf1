# Source: jsbaan/transformer-from-scratch, multi_head_attention.py before PR #6 (issue #4)
# Fixed by: jsbaan/transformer-from-scratch PR #6 "Fix several bugs, one critical": after the scaled
#   dot product the values of shape (batch, heads, seq_len, qkv_dim) were reshaped to
#   (batch, seq_len, heads * qkv_dim) without permute(0, 2, 1, 3) first, mixing positions into each
#   token's output; the copy-task test still passed
# Licence of the original: not checked; this file contains no code from it
# Expected: view-instead-of-permute
# This file is a minimal reproduction written for this corpus of the reported layer (a multi-head
# attention that projects q/k/v, splits heads with view + transpose correctly, and merges them with
# a reshape that skips the permute) inside a one-layer encoder trained on the copy task with
# CrossEntropyLoss and Adam; no code was copied. Sizes: vocabulary 12, d_model 32, 4 heads, length 10.
import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiHeadAttention(nn.Module):
    def __init__(self, hidden_dim, num_heads):
        super().__init__()
        self.num_heads, self.qkv_dim = num_heads, hidden_dim // num_heads
        self.qkv_proj = nn.Linear(hidden_dim, 3 * hidden_dim)
        self.o_proj = nn.Linear(hidden_dim, hidden_dim)

    def forward(self, x):
        b, t, _ = x.shape
        qkv = self.qkv_proj(x).reshape(b, t, self.num_heads, 3 * self.qkv_dim).permute(0, 2, 1, 3)
        q, k, v = qkv.chunk(3, dim=-1)
        attn = F.softmax(q @ k.transpose(-2, -1) / self.qkv_dim ** 0.5, dim=-1)
        values = attn @ v                                       # (b, heads, t, qkv_dim)
        values = values.reshape(b, t, self.num_heads * self.qkv_dim)
        return self.o_proj(values)


class Encoder(nn.Module):
    def __init__(self, vocab=12, d=32, heads=4, length=10):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(length, d) * 0.02)
        self.attn = MultiHeadAttention(d, heads)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, d))
        self.out = nn.Linear(d, vocab)

    def forward(self, tokens):
        x = self.emb(tokens) + self.pos
        x = self.norm1(x + self.attn(x))
        x = self.norm2(x + self.ff(x))
        return self.out(x)


torch.manual_seed(0)
model = Encoder()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(40):
    tokens = torch.randint(0, 12, (32, 10))
    logits = model(tokens)
    loss = F.cross_entropy(logits.reshape(-1, 12), tokens.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step} loss {loss.item():.4f}")
