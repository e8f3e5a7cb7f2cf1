"""Read the X-ray: reference solution.

summary() runs one dummy batch through the model and records every layer: the first
Linear holds 784 * 256 + 256 = 200,960 of the model's 218,058 parameters, and model[4]
turns [32, 256] into [32, 64]. summary_list[0] is the whole Sequential; the layers
follow in order, so model[i] is summary_list[i + 1].
"""

import torch.nn as nn
from torchinfo import summary

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 256),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(256, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)

stats = summary(model, input_size=(32, 1, 28, 28), verbose=0)
total_params = stats.total_params
layers = stats.summary_list[1:]                       # [0] is the Sequential itself
biggest_layer = max(range(len(layers)), key=lambda i: layers[i].num_params)
hidden_shape = list(layers[4].output_size)

if __name__ == "__main__":
    print(summary(model, input_size=(32, 1, 28, 28), verbose=0))
