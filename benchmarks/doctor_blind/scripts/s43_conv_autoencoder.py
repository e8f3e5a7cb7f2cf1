"""Convolutional autoencoder on synthetic blob images; sigmoid output with BCELoss."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def blobs(n, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing="ij")
    cy = torch.rand(n, 1, 1, generator=g) * size
    cx = torch.rand(n, 1, 1, generator=g) * size
    r = 2 + torch.rand(n, 1, 1, generator=g) * 3
    img = torch.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r ** 2))
    return img.unsqueeze(1)


class AETrainer:
    def __init__(self, model, lr=3e-3):
        self.model = model
        self.criterion = nn.BCELoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            total = 0.0
            for (x,) in loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), x)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(x)
            print(f"epoch {epoch}: bce {total / len(loader.dataset):.4f}")

    @torch.no_grad()
    def reconstruct(self, x):
        self.model.eval()
        return self.model(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    data = blobs(512)
    trainer = AETrainer(ConvAE())
    trainer.fit(DataLoader(TensorDataset(data), batch_size=32, shuffle=True), epochs=4)
    err = (trainer.reconstruct(data[:8]) - data[:8]).abs().mean()
    print(f"mean abs reconstruction error {err:.4f}")
