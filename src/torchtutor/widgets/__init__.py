"""Widgets: the interactive pieces of the lessons, as pure functions that return plain data.

Each widget computes something real (torch's gradients, timings, memory sharing) and
returns a JSON-serialisable dict; it never prints. The CLI renders the dicts as tables
(``torchtutor widget NAME``); the web reader can reuse the same data.

    >>> from torchtutor.widgets import autograd_explorer
    >>> autograd_explorer()["manual"]["w1"]    # doctest: +ELLIPSIS
    1.35...

The :data:`WIDGETS` registry maps each kebab-case name to its function, parameters and
one-line description, so front ends can list widgets and parse parameters generically.
"""

from .autograd import autograd_explorer
from .classification import softmax_explorer
from .curves import training_curves, training_curves_stream
from .errors import WidgetError
from .layers import linear_collapse
from .registry import WIDGETS, Param, Widget, get, list_widgets
from .tensors import Accelerator, device_timing, numpy_shared_memory, precision_spectrum
from .training import training_timing

__all__ = [
    "Accelerator", "Param", "WIDGETS", "Widget", "WidgetError", "autograd_explorer", "device_timing", "get",
    "linear_collapse", "list_widgets", "numpy_shared_memory", "precision_spectrum", "softmax_explorer",
    "training_curves", "training_curves_stream", "training_timing",
]
