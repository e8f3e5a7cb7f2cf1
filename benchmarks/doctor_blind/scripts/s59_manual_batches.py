# Manual mini-batching over tensors (no DataLoader); data arrives grouped by class.
import torch
import torch.nn as nn

torch.manual_seed(0)
n_per_class, n_classes = 300, 3
centers = torch.randn(n_classes, 6) * 1.5
X = torch.cat([centers[c] + torch.randn(n_per_class, 6) for c in range(n_classes)])
y = torch.arange(n_classes).repeat_interleave(n_per_class)

model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, n_classes))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
batch_size = 50

for epoch in range(6):
    for i in range(0, len(X), batch_size):
        xb, yb = X[i:i + batch_size], y[i:i + batch_size]
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch}: last loss {loss.item():.3f} acc {acc:.3f}")
