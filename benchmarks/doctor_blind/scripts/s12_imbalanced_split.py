# Imbalanced 3-class problem; train/validation split by hand.
import torch
import torch.nn as nn

torch.manual_seed(0)

n = 3000
X = torch.randn(n, 10)
score = X[:, 0] + 0.5 * X[:, 1]
y = torch.zeros(n, dtype=torch.long)
y[score > 1.2] = 1
y[score > 2.0] = 2
print("class counts:", torch.bincount(y).tolist())

perm = torch.randperm(n)
n_train = 2400
X_train, X_val = X[perm[:n_train]], X[perm[n_train:]]
y_train, y_val = y[:n_train], y[n_train:]

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

batch_size = 64
for epoch in range(8):
    order = torch.randperm(n_train)
    for i in range(0, n_train, batch_size):
        idx = order[i:i + batch_size]
        optimizer.zero_grad()
        loss = criterion(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_pred = model(X_val).argmax(1)
        acc = (val_pred == y_val).float().mean().item()
    model.train()
    print(f"epoch {epoch}: loss {loss.item():.3f} val acc {acc:.3f}")
