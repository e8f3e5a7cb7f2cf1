# Source: yastrebksv/TennisCourtDetector, base_trainer.py before the fix reported in issue #7
# Bug: issue #7 "Why there is no optimizer.zero_grad() in base_trainer.py?": the train function ran
#   forward, loss.backward() and optimizer.step() for every batch without clearing the gradients;
#   the author confirmed and fixed it
# Licence of the original: not checked; this file contains no code from it
# Expected: missing-zero-grad
# This file is a minimal reproduction written for this corpus of the reported loop (a train(model,
# train_loader, optimizer, criterion, device, epoch, max_iters) function over heatmap targets, MSE
# loss on sigmoid heatmaps, Adam; a val() under no_grad in eval mode); no code was copied. The
# keypoint network is a small conv net over synthetic 3x32x32 frames with 4-channel heatmaps.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class CourtNet(nn.Module):
    def __init__(self, out_channels=4):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(16),
                                 nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(16),
                                 nn.Conv2d(16, out_channels, 1))

    def forward(self, x):
        return self.net(x)


def train(model, train_loader, optimizer, criterion, device, epoch, max_iters=1000):
    model.train()
    losses = []
    for iter_id, (images, hm_gt) in enumerate(train_loader):
        out = model(images.to(device))
        loss = criterion(torch.sigmoid(out), hm_gt.to(device))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if iter_id % 4 == 0:
            print(f"train, epoch = {epoch}, iter_id = {iter_id}/{len(train_loader)}, loss = {loss.item():.4f}")
        if iter_id > max_iters:
            break
    return sum(losses) / len(losses)


def val(model, val_loader, criterion, device):
    model.eval()
    losses = []
    with torch.no_grad():
        for images, hm_gt in val_loader:
            losses.append(criterion(torch.sigmoid(model(images.to(device))), hm_gt.to(device)).item())
    return sum(losses) / len(losses)


torch.manual_seed(0)
images = torch.rand(160, 3, 32, 32)
heatmaps = (images[:, :1].repeat(1, 4, 1, 1) > 0.9).float()
train_loader = DataLoader(TensorDataset(images[:128], heatmaps[:128]), batch_size=8, shuffle=True)
val_loader = DataLoader(TensorDataset(images[128:], heatmaps[128:]), batch_size=16)
model = CourtNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-5, betas=(0.9, 0.999), weight_decay=0)
criterion = nn.MSELoss()
for epoch in range(2):
    train_loss = train(model, train_loader, optimizer, criterion, "cpu", epoch)
    print(f"epoch {epoch} train loss {train_loss:.4f} val loss {val(model, val_loader, criterion, 'cpu'):.4f}")
