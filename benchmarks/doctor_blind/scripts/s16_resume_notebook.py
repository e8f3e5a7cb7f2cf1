# Train, checkpoint, then pick the run back up (as after a kernel restart).
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(2048, 16)
true_w = torch.randn(16, 3)
Y = (X @ true_w + 0.1 * torch.randn(2048, 3)).argmax(1)
loader = DataLoader(TensorDataset(X, Y), batch_size=64, shuffle=True)


def make_model():
    return nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))


def run_epochs(model, optimizer, start, stop):
    criterion = nn.CrossEntropyLoss()
    for epoch in range(start, stop):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


# %% first session
model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
run_epochs(model, optimizer, 0, 3)
torch.save({"epoch": 3, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict()}, "checkpoint.pt")
del model, optimizer

# %% second session: resume from the checkpoint
checkpoint = torch.load("checkpoint.pt")
model = make_model()
model.load_state_dict(checkpoint["model_state_dict"])
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
start_epoch = checkpoint["epoch"]
run_epochs(model, optimizer, start_epoch, start_epoch + 3)
