# Source: pytorch/examples, vae/main.py, as of commit fcce71c (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (a 784-400-20
# VAE, reparameterisation, BCE summed + KL divergence, test under no_grad, sampling in eval mode);
# no code was copied.
# Changes to run offline and fast:
#   - MNIST download -> 512 train / 256 test real Fashion-MNIST images (corpus_data.fashion_mnist)
#   - epochs 10 -> 2, batch 128 -> 64; image grids are not written (save_image calls dropped)
import torch
from torch import nn, optim
from torch.nn import functional as F
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    torch.manual_seed(1)
    train_loader = DataLoader(fashion_mnist(True, 512), batch_size=64, shuffle=True)
    test_loader = DataLoader(fashion_mnist(False, 256), batch_size=64)
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, 3):
        model.train()
        train_loss = 0.0
        for data, _ in train_loader:
            optimizer.zero_grad()
            recon, mu, logvar = model(data)
            loss = loss_function(recon, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        print(f"epoch {epoch} average loss {train_loss / len(train_loader.dataset):.4f}")
        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for data, _ in test_loader:
                recon, mu, logvar = model(data)
                test_loss += loss_function(recon, data, mu, logvar).item()
        print(f"test set loss {test_loss / len(test_loader.dataset):.4f}")
        with torch.no_grad():
            sample = model.decode(torch.randn(64, 20))
        print("sample grid", tuple(sample.view(64, 1, 28, 28).shape))


if __name__ == "__main__":
    main()
