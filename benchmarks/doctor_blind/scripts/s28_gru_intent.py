"""GRU intent classifier over synthetic token ids; returns class probabilities."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class IntentGRU(nn.Module):
    def __init__(self, vocab=60, emb=24, hidden=48, n_intents=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_intents)

    def forward(self, ids):
        _, h = self.gru(self.emb(ids))
        return F.softmax(self.out(h.squeeze(0)), dim=-1)


def make_data(n=800, length=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    intents = torch.randint(0, 4, (n,), generator=g)
    ids = torch.randint(8, 60, (n, length), generator=g)
    ids[:, 0] = intents * 2 + torch.randint(0, 2, (n,), generator=g)
    return ids, intents


if __name__ == "__main__":
    torch.manual_seed(0)
    ids, intents = make_data()
    loader = DataLoader(TensorDataset(ids, intents), batch_size=32, shuffle=True)
    model = IntentGRU()
    criterion = nn.NLLLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(4):
        for x, y in loader:
            optimizer.zero_grad()
            probs = model(x)
            loss = criterion(probs, y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")
    with torch.no_grad():
        model.eval()
        print("accuracy:", (model(ids).argmax(1) == intents).float().mean().item())
