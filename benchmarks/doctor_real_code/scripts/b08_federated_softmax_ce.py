# Source: shaoxiongji/federated-learning, models/Nets.py (MLP) + models/Update.py before the fix
#   reported in issue #9
# Bug: issue #9 "Pytorch CrossEntropy function contains softmax": the MLP ended in nn.Softmax(dim=1)
#   and LocalUpdate trained it with nn.CrossEntropyLoss; removing the softmax raised MNIST accuracy
#   from 90% to 95% (the author fixed it)
# Licence of the original: not checked; this file contains no code from it
# Expected: softmax-before-cross-entropy
# This file is a minimal reproduction written for this corpus of the reported structure (an MLP
# 784 -> 200 -> 10 ending in a softmax, FedAvg over 3 clients each running local epochs of SGD with
# CrossEntropyLoss, the global model tested under no_grad); no code was copied.
# Changes: MNIST -> 480 real Fashion-MNIST images split across 3 clients (corpus_data); 2 rounds,
#   1 local epoch, batch 32.
import copy

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Subset

from corpus_data import fashion_mnist


class MLP(nn.Module):
    def __init__(self, dim_in=784, dim_hidden=200, dim_out=10):
        super().__init__()
        self.layer_input = nn.Linear(dim_in, dim_hidden)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout()
        self.layer_hidden = nn.Linear(dim_hidden, dim_out)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = x.view(-1, x.shape[1] * x.shape[-2] * x.shape[-1])
        x = self.relu(self.dropout(self.layer_input(x)))
        return self.softmax(self.layer_hidden(x))


def local_update(net, loader):
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.5)
    loss_func = nn.CrossEntropyLoss()
    for images, labels in loader:
        net.zero_grad()
        loss = loss_func(net(images), labels)
        loss.backward()
        optimizer.step()
    return net.state_dict(), loss.item()


def fed_avg(states):
    avg = copy.deepcopy(states[0])
    for k in avg:
        for s in states[1:]:
            avg[k] += s[k]
        avg[k] = avg[k] / len(states)
    return avg


torch.manual_seed(0)
train = fashion_mnist(True, 480)
clients = [DataLoader(Subset(train, range(i * 160, (i + 1) * 160)), batch_size=32, shuffle=True) for i in range(3)]
test_loader = DataLoader(fashion_mnist(False, 256), batch_size=64)
net_glob = MLP()
for rnd in range(2):
    states, losses = [], []
    for loader in clients:
        state, loss = local_update(copy.deepcopy(net_glob), loader)
        states.append(state)
        losses.append(loss)
    net_glob.load_state_dict(fed_avg(states))
    print(f"round {rnd} average local loss {sum(losses) / len(losses):.3f}")
net_glob.eval()
correct = 0
with torch.no_grad():
    for images, labels in test_loader:
        correct += (net_glob(images).argmax(1) == labels).sum().item()
print(f"test accuracy {100 * correct / 256:.1f}%")
