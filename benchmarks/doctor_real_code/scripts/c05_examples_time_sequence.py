# Source: pytorch/examples, time_sequence_prediction/train.py (+ generate_sine_wave.py), as of
#   commit 2c57b00 (repository HEAD 77f55b9)
# Licence of the original: BSD-3-Clause
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (two LSTMCells
# predicting the next sine value, MSELoss, LBFGS with a closure, prediction of future values under
# no_grad); no code was copied.
# Changes: the sine-wave data (the repo writes it to traindata.pt with a separate script) is made
#   in-script with the same recipe at a smaller size (20 waves of length 200); steps 15 -> 2,
#   hidden size 51 -> 24, no plot files.
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class Sequence(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, inp, future=0):
        outputs = []
        n = inp.size(0)
        h1 = torch.zeros(n, self.hidden, dtype=torch.double)
        c1 = torch.zeros(n, self.hidden, dtype=torch.double)
        h2 = torch.zeros(n, self.hidden, dtype=torch.double)
        c2 = torch.zeros(n, self.hidden, dtype=torch.double)
        for x_t in inp.split(1, dim=1):
            h1, c1 = self.lstm1(x_t, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            out = self.linear(h2)
            outputs.append(out)
        for _ in range(future):
            h1, c1 = self.lstm1(out, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            out = self.linear(h2)
            outputs.append(out)
        return torch.cat(outputs, dim=1)


def sine_waves(n=20, length=200, period=20):
    rng = np.random.RandomState(2)
    x = np.arange(length) + rng.randint(-4 * period, 4 * period, n).reshape(n, 1)
    return np.sin(x / period).astype("float64")


if __name__ == "__main__":
    np.random.seed(0)
    torch.manual_seed(0)
    data = torch.from_numpy(sine_waves())
    inp, target = data[3:, :-1], data[3:, 1:]
    test_inp, test_target = data[:3, :-1], data[:3, 1:]
    seq = Sequence().double()
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8, max_iter=4)
    for i in range(2):
        def closure():
            optimizer.zero_grad()
            loss = criterion(seq(inp), target)
            print("loss:", loss.item())
            loss.backward()
            return loss
        optimizer.step(closure)
        future = 50
        with torch.no_grad():
            pred = seq(test_inp, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print("test loss:", loss.item())
