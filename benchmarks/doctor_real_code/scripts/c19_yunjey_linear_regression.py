# Source: yunjey/pytorch-tutorial, commit 0500d3d (repository HEAD), tutorials/01-basics/linear_regression/main.py
# Licence of the original: MIT
# Expected: clean
# This file is a reproduction written for this corpus from the original's structure (15 (x, y) pairs as numpy arrays of shape [15, 1], nn.Linear(1, 1), MSELoss, SGD lr 1e-3, 60 epochs, prediction via .detach().numpy(), state_dict saved);
# no code was copied.
# Changes to run offline and fast: the matplotlib plot is not drawn; otherwise the data and sizes are the original's
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168], [9.779], [6.182], [7.59], [2.167],
                    [7.042], [10.791], [5.313], [7.997], [3.1]], dtype=np.float32)
y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573], [3.366], [2.596], [2.53], [1.221],
                    [2.827], [3.465], [1.65], [2.904], [1.3]], dtype=np.float32)
model = nn.Linear(1, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
for epoch in range(60):
    inputs, targets = torch.from_numpy(x_train), torch.from_numpy(y_train)
    loss = criterion(model(inputs), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 20 == 0:
        print(f"Epoch [{epoch + 1}/60], Loss: {loss.item():.4f}")
predicted = model(torch.from_numpy(x_train)).detach().numpy()
print("first predictions", predicted[:3].ravel())
torch.save(model.state_dict(), "model.ckpt")
