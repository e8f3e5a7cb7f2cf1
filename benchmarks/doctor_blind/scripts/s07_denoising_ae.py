"""Autoencoder with a noisy bottleneck, trained through a Trainer class."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class NoisyAutoencoder(nn.Module):
    def __init__(self, dim=32, code=8, noise=0.1):
        super().__init__()
        self.noise = noise
        self.encoder = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, code), nn.Sigmoid())
        self.decoder = nn.Sequential(nn.Linear(code, 64), nn.ReLU(), nn.Linear(64, dim))

    def forward(self, x):
        z = self.encoder(x)
        if self.training:
            z += self.noise * torch.randn_like(z)
        return self.decoder(z)


class Trainer:
    def __init__(self, model, loader, epochs=5, lr=1e-3):
        self.model, self.loader, self.epochs = model, loader, epochs
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.loss_fn = nn.MSELoss()

    def run(self):
        for epoch in range(self.epochs):
            self.model.train()
            total = 0.0
            for (x,) in self.loader:
                self.opt.zero_grad()
                recon = self.model(x)
                loss = self.loss_fn(recon, x)
                loss.backward()
                self.opt.step()
                total += loss.item()
            print(f"epoch {epoch}: recon {total / len(self.loader):.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    basis = torch.randn(8, 32)
    data = torch.randn(1024, 8) @ basis + 0.05 * torch.randn(1024, 32)
    loader = DataLoader(TensorDataset(data), batch_size=64, shuffle=True)
    Trainer(NoisyAutoencoder(), loader).run()
