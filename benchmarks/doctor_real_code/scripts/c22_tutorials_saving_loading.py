# Source: pytorch/tutorials, beginner_source/saving_loading_models.py, as stored at commit 6af540e
# Licence of the original: BSD-3-Clause
# Expected: clean (saving the whole model with torch.save(model, PATH) is a portability trade-off
#   the tutorial teaches on purpose, not a silent training mistake; at most an info)
# This file is a reproduction written for this corpus from the original's structure (TheModelClass,
# a LeNet for 3x32x32 images, SGD lr 0.001 momentum 0.9; printing the model's and the optimizer's
# state_dict; saving and loading the state_dict, the whole model, and a general checkpoint with
# epoch, optimizer state and loss; model.eval() after loading for inference, model.train() to
# resume); no code was copied.
# Changes: the tutorial only saves and loads; to give the doctor a run to watch, 8 SGD steps on
#   seeded synthetic CIFAR-sized images (corpus_data.fake_images) come before the saves and 4 after
#   resuming; torch.load of the whole model passes weights_only=False (required since PyTorch 2.6).
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

from corpus_data import fake_images


class TheModelClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def steps(model, optimizer, images, labels, n):
    for i in range(n):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images[i * 8:(i + 1) * 8]), labels[i * 8:(i + 1) * 8])
        loss.backward()
        optimizer.step()
    return loss


torch.manual_seed(0)
images, labels = fake_images(96).tensors
model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
loss = steps(model, optimizer, images, labels, 8)
print("Model's state_dict:")
for name, tensor in model.state_dict().items():
    print(name, "\t", tuple(tensor.size()))
print("Optimizer's state_dict keys:", list(optimizer.state_dict()))

torch.save(model.state_dict(), "state_dict.pt")
model = TheModelClass()
model.load_state_dict(torch.load("state_dict.pt", weights_only=True))
model.eval()

torch.save(model, "entire_model.pt")
model = torch.load("entire_model.pt", weights_only=False)
model.eval()

torch.save({"epoch": 1, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(), "loss": loss}, "checkpoint.tar")
model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
checkpoint = torch.load("checkpoint.tar", weights_only=True)
model.load_state_dict(checkpoint["model_state_dict"])
optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
epoch, loss = checkpoint["epoch"], checkpoint["loss"]
model.train()
loss = steps(model, optimizer, images[64:], labels[64:], 4)
print(f"resumed after epoch {epoch}, loss {loss.item():.4f}")
model.eval()
with torch.no_grad():
    print("predicted", model(images[:4]).argmax(1).tolist())
