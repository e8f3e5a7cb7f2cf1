"""torchtutor: a local, self-paced course in PyTorch fundamentals."""

__version__ = "0.1.0"
