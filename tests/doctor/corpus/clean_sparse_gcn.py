# expect:
"""A graph convolutional network over sparse adjacency matrices (torch.sparse.mm; the adjacency
is the model's first input), trained on one graph and tested on another, and a bag-of-words
model whose embedding has sparse gradients (nn.EmbeddingBag(sparse=True) with SparseAdam).
Sparse tensors pass through the models' inputs, their products and their gradients."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
N, features, classes = 60, 12, 3


def make_graph():
    labels = torch.randint(0, classes, (N,))
    X = torch.randn(N, features) + F.one_hot(labels, features).float() * 2
    src = torch.randint(0, N, (240,))
    dst = torch.where(torch.rand(240) < 0.8, src, torch.randint(0, N, (240,)))
    edges = torch.cat([torch.stack([src, dst]), torch.arange(N).repeat(2, 1)], dim=1)
    adj = torch.sparse_coo_tensor(edges, torch.ones(edges.shape[1]), (N, N)).coalesce()
    degree = torch.sparse.sum(adj, dim=1).to_dense()
    adj = torch.sparse_coo_tensor(adj.indices(), adj.values() / degree[adj.indices()[0]], (N, N)).coalesce()
    return adj, X, labels


class GraphConv(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out) / n_in ** 0.5)

    def forward(self, a, h):
        return torch.sparse.mm(a, h @ self.weight)


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = GraphConv(features, 16), GraphConv(16, classes)
        self.drop = nn.Dropout(0.3)

    def forward(self, a, h):
        h = self.drop(F.relu(self.conv1(a, h)))
        return self.conv2(a, h)


train_graph, test_graph = make_graph(), make_graph()
model = GCN()
opt = torch.optim.Adam(model.parameters(), lr=0.02)
for epoch in range(30):
    model.train()
    adj, X, labels = train_graph
    opt.zero_grad()
    loss = F.cross_entropy(model(adj, X), labels)
    loss.backward()
    opt.step()
model.eval()
with torch.no_grad():
    adj, X, labels = test_graph
    accuracy = (model(adj, X).argmax(1) == labels).float().mean().item()
print(f"GCN test accuracy {accuracy:.2f}")

bag = nn.EmbeddingBag(50, 8, mode="mean", sparse=True)
head = nn.Linear(8, 2)
words = torch.randint(0, 50, (64, 6))
kind = (words < 25).sum(1).gt(3).long()
sparse_opt = torch.optim.SparseAdam(list(bag.parameters()), lr=0.05)
dense_opt = torch.optim.Adam(head.parameters(), lr=0.05)
for epoch in range(20):
    sparse_opt.zero_grad()
    dense_opt.zero_grad()
    loss = F.cross_entropy(head(bag(words)), kind)
    loss.backward()
    sparse_opt.step()
    dense_opt.step()
with torch.no_grad():
    print(f"bag accuracy {(head(bag(words)).argmax(1) == kind).float().mean().item():.2f}")
