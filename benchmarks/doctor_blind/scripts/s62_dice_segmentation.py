"""Tiny segmentation net trained with a soft Dice loss."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def soft_dice_loss(logits, masks, eps=1.0):
    probs = torch.sigmoid(logits)
    inter = (probs * masks).sum(dim=(1, 2, 3))
    union = probs.sum(dim=(1, 2, 3)) + masks.sum(dim=(1, 2, 3))
    return 1 - (2 * inter + eps) / (union + eps)


class SegNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 1, 1),
        )

    def forward(self, x):
        return self.net(x)


def main():
    torch.manual_seed(0)
    masks = (torch.rand(256, 1, 16, 16) > 0.7).float()
    masks = (nn.functional.avg_pool2d(masks, 3, 1, 1) > 0.4).float()
    images = masks + 0.4 * torch.randn_like(masks)
    loader = DataLoader(TensorDataset(images, masks), batch_size=16, shuffle=True)
    model = SegNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(3):
        for x, m in loader:
            optimizer.zero_grad()
            loss = soft_dice_loss(model(x), m)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: dice loss {loss.mean().item():.3f}")


if __name__ == "__main__":
    main()
