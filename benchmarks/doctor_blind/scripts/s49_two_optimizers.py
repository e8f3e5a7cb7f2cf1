"""Encoder and decoder trained with separate optimizers (different learning rates)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(24, 48), nn.ReLU(), nn.Linear(48, 6))

    def forward(self, x):
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 48), nn.ReLU(), nn.Linear(48, 24))

    def forward(self, z):
        return self.net(z)


def main():
    torch.manual_seed(0)
    basis = torch.randn(6, 24)
    data = torch.tanh(torch.randn(1200, 6)) @ basis
    loader = DataLoader(TensorDataset(data), batch_size=40, shuffle=True)
    enc, dec = Encoder(), Decoder()
    opt_enc = torch.optim.Adam(enc.parameters(), lr=1e-3)
    opt_dec = torch.optim.Adam(dec.parameters(), lr=3e-3)
    mse = nn.MSELoss()
    for epoch in range(5):
        enc.train()
        dec.train()
        for (x,) in loader:
            opt_enc.zero_grad()
            opt_dec.zero_grad()
            loss = mse(dec(enc(x)), x)
            loss.backward()
            opt_enc.step()
            opt_dec.step()
        print(f"epoch {epoch}: recon {loss.item():.4f}")


if __name__ == "__main__":
    main()
