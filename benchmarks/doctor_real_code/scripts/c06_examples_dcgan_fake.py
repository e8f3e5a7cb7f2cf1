# Source: pytorch/examples, dcgan/main.py run with --dataset fake, as of commit cc8e404
#   (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean (the reference DCGAN samples its generator in train mode for an image grid;
#   no metric is computed from those samples)
# This file is a reproduction written for this corpus from the original's structure (DCGAN
# generator/discriminator with BatchNorm, weights_init, BCELoss on a sigmoid discriminator, real
# then fake D update, G update with real labels, fixed_noise grid every few iterations, state_dict
# checkpoints each epoch); no code was copied.
# Changes: --dataset fake is the repo's own synthetic option (random 64x64 images); image size 64
#   -> 32, nz 100 -> 16, ngf/ndf 64 -> 8, 64 images, batch 16, 1 epoch; save_image writes the
#   grid to the working directory as in the original.
import torch
import torch.nn as nn
import torch.optim as optim
import torchvision.utils as vutils
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(999)
nz, ngf, ndf, nc = 16, 8, 8, 3


def weights_init(m):
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.main(x).view(-1, 1).squeeze(1)


data = TensorDataset(torch.rand(64, nc, 32, 32) * 2 - 1, torch.zeros(64))
loader = DataLoader(data, batch_size=16, shuffle=True)
netG, netD = Generator(), Discriminator()
netG.apply(weights_init)
netD.apply(weights_init)
criterion = nn.BCELoss()
fixed_noise = torch.randn(16, nz, 1, 1)
real_label, fake_label = 1.0, 0.0
optimizerD = optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(1):
    for i, (real, _) in enumerate(loader):
        netD.zero_grad()
        b = real.size(0)
        label = torch.full((b,), real_label)
        errD_real = criterion(netD(real), label)
        errD_real.backward()
        fake = netG(torch.randn(b, nz, 1, 1))
        label.fill_(fake_label)
        errD_fake = criterion(netD(fake.detach()), label)
        errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        label.fill_(real_label)
        errG = criterion(netD(fake), label)
        errG.backward()
        optimizerG.step()
        print(f"[{epoch}][{i}/{len(loader)}] Loss_D {(errD_real + errD_fake).item():.4f} Loss_G {errG.item():.4f}")
        if i % 2 == 0:
            vutils.save_image(real, "real_samples.png", normalize=True)
            fake = netG(fixed_noise)
            vutils.save_image(fake.detach(), f"fake_samples_epoch_{epoch:03d}.png", normalize=True)
    torch.save(netG.state_dict(), f"netG_epoch_{epoch}.pth")
    torch.save(netD.state_dict(), f"netD_epoch_{epoch}.pth")
