"""The widget registry: name -> function, its parameters and a one-line description.

Front ends list widgets and parse ``--param value`` pairs generically from this table;
the CLI never needs to know a widget's parameters by heart.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .autograd import MODES, autograd_explorer
from .classification import softmax_explorer
from .curves import BUGS, DATASETS, OPTIMIZERS, training_curves, training_curves_stream
from .errors import WidgetError
from .layers import linear_collapse
from .tensors import OPS, device_timing, numpy_shared_memory, precision_spectrum
from .training import training_timing

KINDS = ("float", "int", "str", "ints", "floats")


@dataclass
class Param:
    """One parameter of a widget: its name, kind (float | int | str | ints), default and help."""

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def parse(self, raw: str, widget: str) -> Any:
        """Turn the text typed after ``--name`` into a value, or raise WidgetError."""
        text = raw.strip()
        try:
            if self.kind == "float":
                return float(text)
            if self.kind == "int":
                return int(text.replace("_", ""))
            if self.kind in ("ints", "floats"):
                parts = [p for p in text.replace("(", "").replace(")", "").replace("[", "").replace("]", "")
                         .replace(",", " ").replace("x" if self.kind == "ints" else ",", " ").split()]
                if not parts:
                    raise ValueError
                if self.kind == "floats":
                    return tuple(float(p) for p in parts)
                return tuple(int(p.replace("_", "")) for p in parts)
        except ValueError:
            example = {"float": "2.5", "int": "3", "ints": "10,1000,100000", "floats": "2,1,0.1"}[self.kind]
            raise WidgetError(f"{widget} {self.flag} takes {self.describe_kind()}, e.g. {self.flag} {example}; "
                              f"{raw!r} is not one.") from None
        if self.choices and text not in self.choices:
            raise WidgetError(f"{widget} {self.flag} must be one of {', '.join(self.choices)}, not {raw!r}.")
        return text

    def describe_kind(self) -> str:
        if self.choices:
            return "|".join(self.choices)
        return {"float": "a number", "int": "a whole number", "str": "a word",
                "ints": "whole numbers separated by commas", "floats": "numbers separated by commas"}[self.kind]

    def to_dict(self) -> dict:
        default = list(self.default) if isinstance(self.default, tuple) else self.default
        return {"name": self.name, "flag": self.flag, "kind": self.kind, "default": default,
                "help": self.help, "choices": list(self.choices)}


@dataclass
class Widget:
    """A registered widget: kebab-case ``name``, the pure ``function``, ``description`` and ``params``.

    ``stream``, when set, takes the same keyword arguments, checks them at once and returns an
    iterator of snapshots, the last of which is what ``function`` returns: front ends show a
    long widget (a training run) growing. A streaming widget draws random numbers only from its
    own ``torch.Generator``, so front ends may run it beside other widgets.
    """

    name: str
    function: Callable[..., dict]
    description: str
    params: list[Param] = field(default_factory=list)
    stream: Callable[..., Iterator[dict]] | None = None

    def param(self, key: str) -> Param | None:
        key = key.lstrip("-").replace("-", "_")
        return next((p for p in self.params if p.name == key), None)

    def run(self, **kwargs: Any) -> dict:
        """Call the widget with keyword arguments (already parsed); unknown names raise WidgetError."""
        unknown = [k for k in kwargs if self.param(k) is None]
        if unknown:
            raise WidgetError(self._unknown_message(unknown[0]))
        return self.function(**kwargs)

    def run_stream(self, **kwargs: Any) -> Iterator[dict]:
        """Like :meth:`run`, but an iterator of snapshots (one, the result, for a widget without ``stream``)."""
        unknown = [k for k in kwargs if self.param(k) is None]
        if unknown:
            raise WidgetError(self._unknown_message(unknown[0]))
        if self.stream is None:
            return iter([self.function(**kwargs)])
        return self.stream(**kwargs)

    def json_kwargs(self, params: Any) -> dict[str, Any]:
        """A JSON object of parameters (from a web page or a notebook widget) into keyword
        arguments, parsed exactly as ``torchtutor widget NAME --param value`` parses them."""
        if not isinstance(params, dict):
            raise WidgetError("params must be a JSON object of parameter names and values.")
        kwargs: dict[str, Any] = {}
        for key, value in params.items():
            param = self.param(str(key))
            if param is None:
                raise WidgetError(self._unknown_message(str(key)))
            raw = ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
            kwargs[param.name] = param.parse(raw, self.name)
        return kwargs

    def run_args(self, args: list[str]) -> dict:
        """Parse ``["--x", "3", "--mode=autograd"]`` and run the widget."""
        return self.run(**self.parse_args(args))

    def parse_args(self, args: list[str]) -> dict[str, Any]:
        """``--name value`` / ``--name=value`` pairs into keyword arguments, or WidgetError."""
        kwargs: dict[str, Any] = {}
        i = 0
        while i < len(args):
            token = args[i]
            if not token.startswith("--") or token == "--":
                raise WidgetError(f"{self.name} expected a --parameter here, not {token!r}. "
                                  f"Its parameters are: {self.usage()}.")
            key, eq, raw = token[2:].partition("=")
            param = self.param(key)
            if param is None:
                raise WidgetError(self._unknown_message(key))
            if not eq:
                if i + 1 >= len(args):
                    raise WidgetError(f"{self.name} {param.flag} needs a value after it, "
                                      f"e.g. {param.flag} {self._example(param)}.")
                raw = args[i + 1]
                i += 1
            kwargs[param.name] = param.parse(raw, self.name)
            i += 1
        return kwargs

    def settings(self, args: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
        """Every parameter's value as JSON-ready data: the defaults, with ``--name value`` pairs
        (a lesson's mention of the widget) applied; WidgetError if a pair does not parse."""
        values = {p.name: p.default for p in self.params} | self.parse_args(list(args))
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}

    def usage(self) -> str:
        if not self.params:
            return "none"
        return ", ".join(f"{p.flag} ({p.describe_kind()}, default {self._example(p)})" for p in self.params)

    @staticmethod
    def _example(param: Param) -> str:
        if param.kind in ("ints", "floats"):
            return ",".join(f"{v:g}" for v in param.default)
        return str(param.default)

    def _unknown_message(self, key: str) -> str:
        flag = "--" + key.lstrip("-")
        if not self.params:
            return f"{self.name} takes no parameters, so {flag} means nothing to it."
        return f"{self.name} has no parameter {flag}. Its parameters are: {self.usage()}."

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "params": [p.to_dict() for p in self.params],
                "streams": self.stream is not None}


def _widget(name: str, function: Callable[..., dict], description: str, kinds: dict[str, str],
            helps: dict[str, str], choices: dict[str, tuple[str, ...]] | None = None,
            stream: Callable[..., Iterator[dict]] | None = None) -> Widget:
    """Build a Widget, taking the defaults from the function's own signature so they cannot drift."""
    params = []
    for pname, p in inspect.signature(function).parameters.items():
        params.append(Param(pname, kinds[pname], p.default, helps[pname], (choices or {}).get(pname, ())))
    if stream is not None:
        assert inspect.signature(stream).parameters.keys() == inspect.signature(function).parameters.keys()
    return Widget(name, function, description, params, stream)


_NETWORK_HELP = {"x": "input", "y": "target", "w1": "first weight", "b1": "first bias",
                 "w2": "second weight", "b2": "second bias",
                 "mode": "manual: chain-rule steps first; autograd: torch's backward() first"}

WIDGETS: dict[str, Widget] = {w.name: w for w in [
    _widget("autograd-explorer", autograd_explorer,
            "Backpropagate the course's two-layer network step by step (incoming x local = outgoing) "
            "and check every gradient against loss.backward().",
            {k: "float" for k in ("x", "y", "w1", "b1", "w2", "b2")} | {"mode": "str"}, _NETWORK_HELP,
            {"mode": MODES}),
    _widget("linear-collapse", linear_collapse,
            "Two nn.Linear layers with nothing between them equal one (W_eff = W2 @ W1); a ReLU breaks that.",
            {"sizes": "ints", "seed": "int", "batch": "int"},
            {"sizes": "in, hidden, out features", "seed": "random seed for the layers and input",
             "batch": "rows of input"}),
    _widget("device-timing", device_timing,
            "CPU vs GPU time for one operation across tensor sizes, transfers included; CPU only without a GPU.",
            {"sizes": "ints", "repeats": "int", "op": "str"},
            {"sizes": "numbers of elements per tensor", "repeats": "timed runs per size (the median is shown)",
             "op": "add: elementwise a*b+a; matmul: square matrices"},
            {"op": OPS}),
    _widget("numpy-shared-memory", numpy_shared_memory,
            "from_numpy() and .numpy() share memory with the array; torch.tensor() copies. Watch values change.",
            {}, {}),
    _widget("softmax-explorer", softmax_explorer,
            "Softmax and cross-entropy for logits you type: -log(p_correct) against nn.CrossEntropyLoss, its "
            "gradient p - one_hot, and what a softmax before the loss does.",
            {"logits": "floats", "target": "int"},
            {"logits": "one score per class", "target": "the index of the correct class"}),
    _widget("precision-spectrum", precision_spectrum,
            "float64 -> float32 -> bfloat16 -> float16: epsilon, range, and what a tiny number becomes.",
            {"value": "float"}, {"value": "the number to store in each dtype (default: a tiny gradient)"}),
    _widget("training-timing", training_timing,
            "One training step of an MLP on the CPU and (when there is one) the GPU, per width and batch size, "
            "with the epoch time set against the 30-second rule of thumb.",
            {"widths": "ints", "batches": "ints", "repeats": "int", "samples": "int"},
            {"widths": "hidden-layer widths of the MLP", "batches": "batch sizes",
             "repeats": "timed steps per setting (the median is shown)",
             "samples": "samples in one epoch, for the epoch estimate"}),
    _widget("training-curves", training_curves,
            "Train a small MLP on the MNIST (or Fashion-MNIST) sample and watch the training loss and the "
            "training and validation accuracy as it learns; change the optimizer, learning rate, batch size, "
            "width or dropout, or plant a bug, and compare the curves.",
            {"dataset": "str", "optimizer": "str", "lr": "float", "batch": "int", "hidden": "int",
             "dropout": "float", "steps": "int", "eval_every": "int", "bug": "str", "seed": "int"},
            {"dataset": "which sample to train on", "optimizer": "adam or plain sgd",
             "lr": "learning rate", "batch": "images per step", "hidden": "width of the hidden layer",
             "dropout": "fraction of hidden units dropped while training",
             "steps": "training steps (mini-batches)", "eval_every": "steps between accuracy measurements",
             "bug": "plant a silent mistake: none, no-zero-grad, softmax-before-loss, raw-pixels, no-eval",
             "seed": "seed of the run's own random generator"},
            {"dataset": DATASETS, "optimizer": OPTIMIZERS, "bug": BUGS}, stream=training_curves_stream),
]}


def get(name: str) -> Widget:
    """The widget called ``name`` (kebab-case; underscores accepted), or WidgetError naming the others."""
    key = name.strip().lower().replace("_", "-")
    if key in WIDGETS:
        return WIDGETS[key]
    raise WidgetError(f"There is no widget {name!r}. The widgets are: {', '.join(WIDGETS)}. "
                      "`torchtutor widget --list` shows what each one does and its parameters.")


def list_widgets() -> list[dict]:
    """Every widget as plain data: name, description, parameters."""
    return [w.to_dict() for w in WIDGETS.values()]


assert all(p.kind in KINDS for w in WIDGETS.values() for p in w.params)
