# Source: Hsintien-Ng/idinvert_pytorch-reproduced, training_loop_encoder.py before the fix
#   reported in issue #1
# Bug: issue #1 "optimizer_D.zero_grad() missing?": the discriminator's backward() and
#   optimizer_D.step() ran every iteration while only the encoder's optimizer was zeroed, so the
#   discriminator's gradients summed over all iterations; the author confirmed and fixed it
# Licence of the original: not checked; this file contains no code from it
# Expected: missing-zero-grad
# This file is a minimal reproduction written for this corpus of the reported loop (a frozen
# generator, an encoder trained with a reconstruction + adversarial loss, a discriminator trained
# with a non-saturating logistic loss, two Adam optimizers, optimizer_E.zero_grad() but no
# optimizer_D.zero_grad()); no code was copied. Images are synthetic 3x16x16, latent size 32.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
Z = 32
G = nn.Sequential(nn.Linear(Z, 3 * 16 * 16), nn.Tanh())
for p in G.parameters():
    p.requires_grad_(False)
E = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 128), nn.LeakyReLU(0.2), nn.Linear(128, Z))
D = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
optimizer_E = torch.optim.Adam(E.parameters(), lr=1e-4, betas=(0.9, 0.99))
optimizer_D = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.9, 0.99))
real_pool = G(torch.randn(512, Z)).view(-1, 3, 16, 16)

for it in range(40):
    x_real = real_pool[torch.randint(0, 512, (16,))]
    # discriminator step
    x_rec = G(E(x_real)).view(-1, 3, 16, 16)
    loss_real = F.softplus(-D(x_real)).mean()
    loss_fake = F.softplus(D(x_rec.detach())).mean()
    loss_D = loss_real + loss_fake
    loss_D.backward()
    optimizer_D.step()
    # encoder step
    optimizer_E.zero_grad()
    x_rec = G(E(x_real)).view(-1, 3, 16, 16)
    loss_pix = F.mse_loss(x_rec, x_real)
    loss_adv = F.softplus(-D(x_rec)).mean()
    loss_E = loss_pix + 0.08 * loss_adv
    loss_E.backward()
    optimizer_E.step()
    if it % 10 == 0:
        print(f"iter {it} loss_D {loss_D.item():.4f} loss_E {loss_E.item():.4f}")
