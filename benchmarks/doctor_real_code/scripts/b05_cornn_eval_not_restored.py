# Source: tk-rusch/coRNN, adding/adding_task.py at commit ba26cee (linked from issue #1)
# Bug: issue #1 "model.train() isn't called again after model.eval()": test() switched the model to
#   eval mode inside the training loop and training continued in eval mode (the authors: harmless
#   that day, the model has no dropout or BatchNorm; they changed the code anyway)
# Licence of the original: not stated in the issue; this file contains no code from it
# Expected: train-mode-not-restored (as info: nothing in this model depends on the mode)
# This file is a minimal reproduction written for this corpus of the reported structure (a coupled
# oscillatory RNN cell unrolled over the adding problem's sequences, MSELoss, Adam, a test() every
# few steps that calls model.eval() under no_grad and never restores train mode); no code was
# copied. Sizes are small: sequence length 50, hidden 32, 60 steps, test every 20 steps.
import torch
import torch.nn as nn


class coRNNCell(nn.Module):
    def __init__(self, n_inp, n_hid, dt=0.042, gamma=2.7, epsilon=4.7):
        super().__init__()
        self.dt, self.gamma, self.epsilon = dt, gamma, epsilon
        self.i2h = nn.Linear(n_inp + n_hid + n_hid, n_hid)

    def forward(self, x, hy, hz):
        hz = hz + self.dt * (torch.tanh(self.i2h(torch.cat((x, hz, hy), 1))) - self.gamma * hy - self.epsilon * hz)
        hy = hy + self.dt * hz
        return hy, hz


class coRNN(nn.Module):
    def __init__(self, n_inp, n_hid, n_out):
        super().__init__()
        self.n_hid = n_hid
        self.cell = coRNNCell(n_inp, n_hid)
        self.readout = nn.Linear(n_hid, n_out)

    def forward(self, x):
        hy = torch.zeros(x.size(1), self.n_hid)
        hz = torch.zeros(x.size(1), self.n_hid)
        for t in range(x.size(0)):
            hy, hz = self.cell(x[t], hy, hz)
        return self.readout(hy)


def adding_batch(bs, T, g):
    values = torch.rand(T, bs, 1, generator=g)
    markers = torch.zeros(T, bs, 1)
    for b in range(bs):
        i, j = torch.randperm(T, generator=g)[:2]
        markers[i, b] = markers[j, b] = 1.0
    return torch.cat([values, markers], 2), (values * markers).sum(0)


g = torch.Generator().manual_seed(0)
torch.manual_seed(0)
model = coRNN(2, 32, 1)
objective = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
test_x, test_y = adding_batch(64, 50, g)


def test():
    model.eval()
    with torch.no_grad():
        return objective(model(test_x), test_y).item()


for i in range(60):
    x, y = adding_batch(32, 50, g)
    optimizer.zero_grad()
    loss = objective(model(x), y)
    loss.backward()
    optimizer.step()
    if i % 20 == 0:
        print(f"step {i} train loss {loss.item():.4f} test loss {test():.4f}")
