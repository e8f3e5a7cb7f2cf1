"""The reference projects: one training pipeline for MNIST and Fashion-MNIST.

``from torchtutor.projects import Config, run``; ``run(Config(dataset="fashion-mnist",
model="cnn"))`` trains and returns a :class:`Report` (history per epoch, the best epoch, test
accuracy per class, the most frequent confusions, and the files written: checkpoints,
figures, TensorBoard logs, report.json). ``torchtutor project NAME`` is its front end.
See ``pipeline.py`` for the steps and ``models.py`` for the two models.
"""

from .pipeline import Config, Epoch, ProjectError, Report, run

__all__ = ["Config", "Epoch", "ProjectError", "Report", "run"]
