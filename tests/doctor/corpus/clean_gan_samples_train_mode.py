# expect:
"""The reference DCGAN's convention: after each epoch the generator, still in training
mode, turns a fixed noise batch into images that are only saved as a grid. No metric or
reported loss is computed from them, so it is not an evaluation."""
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(0)
nz = 8
netG = nn.Sequential(nn.Linear(nz, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 64), nn.Tanh())
netD = nn.Sequential(nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
criterion = nn.BCEWithLogitsLoss()
optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
fixed_noise = torch.randn(16, nz)
real_data = torch.tanh(torch.randn(512, 64) * 0.5 + 0.3)
out_dir = tempfile.mkdtemp()
for epoch in range(3):
    for i in range(0, 512, 64):
        real = real_data[i:i + 64]
        b = real.size(0)
        netD.zero_grad()
        errD_real = criterion(netD(real), torch.ones(b, 1))
        errD_real.backward()
        fake = netG(torch.randn(b, nz))
        errD_fake = criterion(netD(fake.detach()), torch.zeros(b, 1))
        errD_fake.backward()
        optD.step()
        netG.zero_grad()
        errG = criterion(netD(fake), torch.ones(b, 1))
        errG.backward()
        optG.step()
    with torch.no_grad():
        grid = netG(fixed_noise).detach().cpu().view(4, 4, 8, 8).permute(0, 2, 1, 3).reshape(32, 32)
    torch.save(grid, os.path.join(out_dir, f"fake_samples_epoch_{epoch:03d}.pt"))
    print(f"epoch {epoch}: Loss_D {(errD_real + errD_fake).item():.3f} Loss_G {errG.item():.3f}")
