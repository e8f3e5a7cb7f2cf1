"""Character-level RNN language model with truncated backprop through time."""
import torch
import torch.nn as nn

TEXT = ("the quick brown fox jumps over the lazy dog. " * 40)


class CharRNN(nn.Module):
    def __init__(self, vocab, emb=16, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x, h=None):
        y, h = self.rnn(self.emb(x), h)
        return self.out(y), h


def main():
    torch.manual_seed(0)
    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in TEXT])
    n_streams, bptt = 4, 20
    usable = (len(data) - 1) // n_streams * n_streams
    inputs = data[:usable].view(n_streams, -1)
    targets = data[1:usable + 1].view(n_streams, -1)

    model = CharRNN(len(chars))
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        model.train()
        hidden = None
        for t in range(0, inputs.size(1) - bptt, bptt):
            x, y = inputs[:, t:t + bptt], targets[:, t:t + bptt]
            if hidden is not None:
                hidden = hidden.detach()
            optimizer.zero_grad()
            logits, hidden = model(x, hidden)
            loss = 0.0
            for step in range(bptt):
                loss = loss + criterion(logits[:, step], y[:, step])
            loss = loss / bptt
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
