# Source: pytorch/examples, gcn/main.py, as of commit d47f0f3 (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (a two-layer
# graph convolutional network over a normalised sparse adjacency matrix, dropout, log_softmax +
# nll_loss on the training nodes only, Adam lr 0.01 weight_decay 5e-4, validation and test in eval
# mode under no_grad); no code was copied.
# Changes: the Cora download -> a seeded synthetic citation-like graph (300 nodes, 7 classes,
#   64 bag-of-words features correlated with the class, edges mostly within a class);
#   epochs 100 -> 20, hidden 16 as in the original.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(42)
N, C, FEATS = 300, 7, 64
labels = torch.randint(0, C, (N,))
features = (torch.rand(N, FEATS) < 0.05).float()
features[torch.arange(N), labels * 9] = 1.0
src = torch.randint(0, N, (1200,))
same = labels.unsqueeze(0) == labels.unsqueeze(1)
dst = torch.stack([torch.nonzero(same[i]).flatten()[torch.randint(0, int(same[i].sum()), (1,))] for i in src]).flatten()
edges = torch.cat([torch.stack([src, dst]), torch.stack([dst, src]), torch.arange(N).repeat(2, 1)], 1)
deg = torch.zeros(N).index_add_(0, edges[0], torch.ones(edges.size(1)))
values = deg[edges[0]].rsqrt() * deg[edges[1]].rsqrt()
adj = torch.sparse_coo_tensor(edges, values, (N, N)).coalesce()
idx_train, idx_val, idx_test = torch.arange(0, 140), torch.arange(140, 200), torch.arange(200, 300)


class GraphConv(nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(fin, fout))
        self.bias = nn.Parameter(torch.zeros(fout))
        nn.init.xavier_normal_(self.kernel)

    def forward(self, x, adj):
        return torch.sparse.mm(adj, x @ self.kernel) + self.bias


class GCN(nn.Module):
    def __init__(self, fin, hidden, classes, dropout=0.5):
        super().__init__()
        self.gc1 = GraphConv(fin, hidden)
        self.gc2 = GraphConv(hidden, classes)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, adj):
        x = self.dropout(x)
        x = F.relu(self.gc1(x, adj))
        x = self.dropout(x)
        return F.log_softmax(self.gc2(x, adj), dim=1)


def accuracy(out, y):
    return (out.argmax(1) == y).float().mean().item()


model = GCN(FEATS, 16, C)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
for epoch in range(20):
    model.train()
    optimizer.zero_grad()
    out = model(features, adj)
    loss = F.nll_loss(out[idx_train], labels[idx_train])
    loss.backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(features, adj)
        val_loss = F.nll_loss(out[idx_val], labels[idx_val]).item()
    if epoch % 5 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f} val loss {val_loss:.4f} val acc {accuracy(out[idx_val], labels[idx_val]):.3f}")
model.eval()
with torch.no_grad():
    out = model(features, adj)
print(f"test accuracy {accuracy(out[idx_test], labels[idx_test]):.3f}")
