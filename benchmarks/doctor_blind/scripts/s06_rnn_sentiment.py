"""Tiny LSTM "sentiment" classifier over synthetic token sequences."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

VOCAB = 50
POSITIVE = list(range(1, 10))
NEGATIVE = list(range(10, 19))


class ToySentiment(Dataset):
    def __init__(self, n, seq_len=12, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.tokens = torch.randint(19, VOCAB, (n, seq_len), generator=g)
        self.labels = torch.zeros(n)
        for i in range(n):
            pos = torch.randint(0, seq_len, (3,), generator=g)
            if torch.rand(1, generator=g).item() < 0.5:
                self.tokens[i, pos] = torch.tensor(POSITIVE[:3])
                self.labels[i] = 1
            else:
                self.tokens[i, pos] = torch.tensor(NEGATIVE[:3])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.tokens[idx], self.labels[idx]


class LSTMClassifier(nn.Module):
    def __init__(self, vocab, emb=32, hidden=32, n_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, tokens):
        emb = self.embedding(tokens)
        _, (h, _) = self.lstm(emb)
        return self.fc(h[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=5e-3)
    args = p.parse_args()
    torch.manual_seed(0)
    loader = DataLoader(ToySentiment(640), batch_size=32, shuffle=True)
    model = LSTMClassifier(VOCAB)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        model.train()
        for tokens, labels in loader:
            optimizer.zero_grad()
            logits = model(tokens)
            loss = criterion(logits, labels)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
