"""Bag-of-embeddings text classifier with per-module learning rates."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class BagClassifier(nn.Module):
    def __init__(self, vocab=200, dim=32, hidden=64, n_classes=3):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.encoder = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)))


def synthetic_corpus(n=1500, length=10, vocab=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (n,), generator=g)
    tokens = torch.randint(30, vocab, (n, length), generator=g)
    keywords = labels.unsqueeze(1) * 10 + torch.randint(0, 10, (n, 3), generator=g)
    tokens[:, :3] = keywords
    return tokens, labels


torch.manual_seed(0)
tokens, labels = synthetic_corpus()
loader = DataLoader(TensorDataset(tokens, labels), batch_size=50, shuffle=True)
model = BagClassifier()
optimizer = torch.optim.Adam([
    {"params": model.embed.parameters(), "lr": 1e-2},
    {"params": model.encoder.parameters(), "lr": 1e-3},
])
criterion = nn.CrossEntropyLoss()

for epoch in range(4):
    correct = 0
    for xb, yb in loader:
        optimizer.zero_grad()
        logits = model(xb)
        loss = criterion(logits, yb)
        loss.backward()
        optimizer.step()
        correct += (logits.argmax(1) == yb).sum().item()
    print(f"epoch {epoch}: loss={loss.item():.3f} train_acc={correct / len(tokens):.3f}")
