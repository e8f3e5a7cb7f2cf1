"""Read the X-ray: torchinfo.summary                                       (guided)

`model` is a classifier for 28 x 28 images. Before training it, X-ray it: run
`torchinfo.summary` with a batch of 32 one-channel images and read the answers from
what it returns (the object has `.total_params` and `.summary_list`; print it to see
the table). Set:

- `stats`: what `summary(model, input_size=(32, 1, 28, 28), verbose=0)` returns;
- `total_params`: the model's number of parameters (an int);
- `biggest_layer`: the index in `model` (0 to 6) of the layer that holds the most
  parameters;
- `hidden_shape`: the output shape of `model[4]`, as a list of ints, batch included.

Done when: the checker X-rays your `model` itself and compares the three answers.
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

stats = None           # your code here
total_params = None    # your code here
biggest_layer = None   # your code here
hidden_shape = None    # your code here

if __name__ == "__main__":
    print(summary(model, input_size=(32, 1, 28, 28), verbose=0))
