"""A small GAN that learns a 2-D ring of Gaussians (DCGAN-style update order)."""
import math

import torch
import torch.nn as nn


def real_batch(n):
    k = torch.randint(0, 8, (n,))
    angle = k.float() * (2 * math.pi / 8)
    centers = torch.stack([torch.cos(angle), torch.sin(angle)], 1) * 2
    return centers + 0.05 * torch.randn(n, 2)


def main():
    torch.manual_seed(0)
    latent = 8
    netG = nn.Sequential(nn.Linear(latent, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    netD = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
    criterion = nn.BCEWithLogitsLoss()
    optD = torch.optim.Adam(netD.parameters(), lr=1e-3, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=1e-3, betas=(0.5, 0.999))
    batch = 64
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    for it in range(300):
        # (1) update D: maximise log D(x) + log(1 - D(G(z)))
        netD.zero_grad()
        errD_real = criterion(netD(real_batch(batch)), ones)
        errD_real.backward()
        fake = netG(torch.randn(batch, latent))
        errD_fake = criterion(netD(fake.detach()), zeros)
        errD_fake.backward()
        optD.step()

        # (2) update G: maximise log D(G(z))
        netG.zero_grad()
        errG = criterion(netD(fake), ones)
        errG.backward()
        optG.step()

        if it % 100 == 0:
            print(f"iter {it}: D {errD_real.item() + errD_fake.item():.3f}  G {errG.item():.3f}")

    with torch.no_grad():
        samples = netG(torch.randn(512, latent))
    print("mean radius of samples:", samples.norm(dim=1).mean().item())


if __name__ == "__main__":
    main()
