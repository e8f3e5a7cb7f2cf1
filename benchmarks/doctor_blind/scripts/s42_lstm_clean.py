"""Sequence classifier: does the sequence contain the token 7 before the token 3?"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class OrderDataset(Dataset):
    def __init__(self, n, length=10, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randint(10, 30, (n, length), generator=g)
        self.y = torch.randint(0, 2, (n,), generator=g)
        for i in range(n):
            a, b = sorted(torch.randperm(length, generator=g)[:2].tolist())
            first, second = (7, 3) if self.y[i] == 1 else (3, 7)
            self.x[i, a], self.x[i, b] = first, second

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class SeqClassifier(nn.Module):
    def __init__(self, vocab=30, emb=16, hidden=32):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 2)

    def forward(self, x):
        out, _ = self.lstm(self.emb(x))
        return self.fc(out[:, -1])


def main():
    torch.manual_seed(0)
    train_dl = DataLoader(OrderDataset(1200, seed=1), batch_size=40, shuffle=True)
    test_dl = DataLoader(OrderDataset(300, seed=2), batch_size=100)
    model = SeqClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(4):
        model.train()
        for x, y in train_dl:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
        model.eval()
        correct = 0
        with torch.inference_mode():
            for x, y in test_dl:
                correct += (model(x).argmax(1) == y).sum().item()
        print(f"epoch {epoch}: loss {loss.item():.3f} test acc {correct / 300:.3f}")


if __name__ == "__main__":
    main()
