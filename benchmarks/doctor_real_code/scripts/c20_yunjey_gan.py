# Source: yunjey/pytorch-tutorial, commit 0500d3d (repository HEAD), tutorials/03-advanced/generative_adversarial_network/main.py
# Licence of the original: MIT
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (MLP discriminator ending in nn.Sigmoid and MLP generator ending in nn.Tanh, BCELoss with ones/zeros labels, reset_grad() zeroing both Adam optimizers, D step on real + fake then G step, generated images denormalised for saving, both state_dicts saved);
# no code was copied.
# Changes to run offline and fast: MNIST download -> 256 real Fashion-MNIST images scaled to [-1, 1] (corpus_data); epochs 200 -> 1, batch 100 -> 32, hidden 256 -> 64, latent 64 -> 16; image files are not written
import torch
import torch.nn as nn
from torch.utils.data import DataLoader

from corpus_data import fashion_mnist

torch.manual_seed(0)
latent_size, hidden_size, image_size, batch_size = 16, 64, 784, 32
data = fashion_mnist(True, 256)
loader = DataLoader(data, batch_size=batch_size, shuffle=True)
D = nn.Sequential(nn.Linear(image_size, hidden_size), nn.LeakyReLU(0.2),
                  nn.Linear(hidden_size, hidden_size), nn.LeakyReLU(0.2),
                  nn.Linear(hidden_size, 1), nn.Sigmoid())
G = nn.Sequential(nn.Linear(latent_size, hidden_size), nn.ReLU(),
                  nn.Linear(hidden_size, hidden_size), nn.ReLU(),
                  nn.Linear(hidden_size, image_size), nn.Tanh())
criterion = nn.BCELoss()
d_optimizer = torch.optim.Adam(D.parameters(), lr=0.0002)
g_optimizer = torch.optim.Adam(G.parameters(), lr=0.0002)


def denorm(x):
    return ((x + 1) / 2).clamp(0, 1)


def reset_grad():
    d_optimizer.zero_grad()
    g_optimizer.zero_grad()


for epoch in range(1):
    for i, (images, _) in enumerate(loader):
        images = images.reshape(images.size(0), -1) * 2 - 1
        real_labels = torch.ones(images.size(0), 1)
        fake_labels = torch.zeros(images.size(0), 1)
        d_loss_real = criterion(D(images), real_labels)
        z = torch.randn(images.size(0), latent_size)
        fake_images = G(z)
        d_loss_fake = criterion(D(fake_images), fake_labels)
        d_loss = d_loss_real + d_loss_fake
        reset_grad()
        d_loss.backward()
        d_optimizer.step()
        z = torch.randn(images.size(0), latent_size)
        fake_images = G(z)
        g_loss = criterion(D(fake_images), real_labels)
        reset_grad()
        g_loss.backward()
        g_optimizer.step()
        if (i + 1) % 4 == 0:
            print(f"Step [{i + 1}/{len(loader)}], d_loss: {d_loss.item():.4f}, g_loss: {g_loss.item():.4f}")
    grid = denorm(fake_images.reshape(fake_images.size(0), 1, 28, 28))
    print("fake image grid", tuple(grid.shape))
torch.save(G.state_dict(), "G.ckpt")
torch.save(D.state_dict(), "D.ckpt")
