# Source: pytorch/examples, siamese_network/main.py, as of commit fcce71c (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (a shared
# ResNet-18 tower with a 1-channel stem, the two embeddings concatenated into an MLP head ending in
# nn.Sigmoid, nn.BCELoss on same/different-class pairs, Adadelta + StepLR, test in eval mode under
# no_grad with a 0.5 threshold); no code was copied.
# Changes: MNIST pairs -> pairs of real Fashion-MNIST images (corpus_data.fashion_mnist, 96
#   images), epochs 14 -> 1, batch 64 -> 16; torchvision resnet18(weights=None) as in the original.
import torch
import torch.nn as nn
import torchvision
from torch.utils.data import DataLoader, Dataset

from corpus_data import fashion_mnist


class SiameseNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.resnet = torchvision.models.resnet18(weights=None)
        self.resnet.conv1 = nn.Conv2d(1, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
        self.fc_in_features = self.resnet.fc.in_features
        self.resnet = nn.Sequential(*list(self.resnet.children())[:-1])
        self.fc = nn.Sequential(nn.Linear(self.fc_in_features * 2, 64), nn.ReLU(inplace=True), nn.Linear(64, 1))
        self.sigmoid = nn.Sigmoid()

    def forward_once(self, x):
        return self.resnet(x).view(x.size(0), -1)

    def forward(self, a, b):
        out = self.fc(torch.cat((self.forward_once(a), self.forward_once(b)), 1))
        return self.sigmoid(out)


class Pairs(Dataset):
    def __init__(self, base, seed):
        self.images, self.labels = base.tensors
        g = torch.Generator().manual_seed(seed)
        self.partner = torch.randint(0, len(self.labels), (len(self.labels),), generator=g)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        j = int(self.partner[i])
        same = float(self.labels[i] == self.labels[j])
        return self.images[i], self.images[j], torch.tensor(same)


torch.manual_seed(1)
train_loader = DataLoader(Pairs(fashion_mnist(True, 96), 0), batch_size=16, shuffle=True)
test_loader = DataLoader(Pairs(fashion_mnist(False, 32), 1), batch_size=32)
model = SiameseNetwork()
optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
criterion = nn.BCELoss()
for epoch in range(1, 2):
    model.train()
    for batch_idx, (a, b, targets) in enumerate(train_loader):
        optimizer.zero_grad()
        outputs = model(a, b).squeeze()
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        if batch_idx % 4 == 0:
            print(f"epoch {epoch} batch {batch_idx} loss {loss.item():.4f}")
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for a, b, targets in test_loader:
            outputs = model(a, b).squeeze()
            test_loss += criterion(outputs, targets).sum().item()
            correct += torch.where(outputs > 0.5, 1, 0).eq(targets.view_as(outputs)).sum().item()
    print(f"test loss {test_loss / len(test_loader.dataset):.4f} accuracy {correct}/{len(test_loader.dataset)}")
    scheduler.step()
