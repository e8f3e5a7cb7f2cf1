"""Model returns (logits, loss) when given labels, in the Hugging Face style."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class ClassifierWithLoss(nn.Module):
    def __init__(self, vocab=100, dim=32, n_labels=3, label_smoothing=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, n_labels))
        self.label_smoothing = label_smoothing

    def forward(self, input_ids, labels=None):
        pooled = self.embed(input_ids).mean(dim=1)
        logits = self.mlp(pooled)
        loss = None
        if labels is not None:
            loss_fct = nn.CrossEntropyLoss(label_smoothing=self.label_smoothing)
            loss = loss_fct(logits, labels)
        return logits, loss


if __name__ == "__main__":
    torch.manual_seed(0)
    labels = torch.randint(0, 3, (900,))
    ids = torch.randint(10, 100, (900, 12))
    ids[:, :4] = labels.unsqueeze(1) * 3 + torch.randint(0, 3, (900, 4))
    loader = DataLoader(TensorDataset(ids, labels), batch_size=30, shuffle=True)
    model = ClassifierWithLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for epoch in range(4):
        model.train()
        for batch_ids, batch_labels in loader:
            optimizer.zero_grad()
            _, loss = model(batch_ids, labels=batch_labels)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits, _ = model(ids)
        print(f"epoch {epoch}: loss {loss.item():.3f} acc {(logits.argmax(1) == labels).float().mean():.3f}")
