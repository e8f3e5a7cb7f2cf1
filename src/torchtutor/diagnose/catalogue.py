"""The mistake catalogue: every silent (or confusing) PyTorch mistake the probes know.

The catalogue is data. Each entry has a stable id (the ids never change meaning, because
exercise checkers, hints and the progress store refer to them), a title, an explanation
in plain language, the fix as code, the lesson of the course that teaches the idea, the
phase of the four-phase debugging checklist it belongs to, and one line on the runtime
evidence the probes use to detect it.

``torchtutor doctor --list --json`` prints this list as JSON (:func:`catalogue_as_dicts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cached_property

#: The four phases of the debugging checklist, in report order: (id, heading).
PHASES: list[tuple[str, str]] = [
    ("model", "1. The model and its input (torchinfo summary)"),
    ("gradients", "2. The first iteration: loss and gradient health"),
    ("loop", "3. The training loop"),
    ("evaluation", "4. Loss against accuracy, and evaluation"),
]
PHASE_IDS = [p for p, _ in PHASES]

class _CourseLessons(Mapping):
    """Lesson slug -> module number, read from the course's module.toml files on first use."""

    @cached_property
    def _data(self) -> dict[str, str]:
        from ..curriculum.loader import lesson_modules

        return lesson_modules()

    def __getitem__(self, slug: str) -> str:
        return self._data[slug]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


#: Lesson slugs of the course (written and planned), with their module, in teaching order.
LESSONS: Mapping[str, str] = _CourseLessons()


@dataclass(frozen=True)
class Mistake:
    """One catalogue entry.

    id           stable identifier, kebab-case
    title        one line, names the mistake
    phase        one of :data:`PHASE_IDS`
    lesson       slug of the lesson that teaches the idea
    explanation  why it is a problem, in plain language
    fix          the fix, as code
    detection    the runtime evidence the probes use (never source text or names)
    required     True for the ids the doctor was specified with; False for the extra
                 entries that exercise checkers asked for
    """

    id: str
    title: str
    phase: str
    lesson: str
    explanation: str
    fix: str
    detection: str
    required: bool = True

    @property
    def module(self) -> str:
        return LESSONS[self.lesson]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["module"] = self.module
        return data


CATALOGUE: list[Mistake] = [
    Mistake(
        id="missing-zero-grad",
        title="Gradients are never cleared between steps",
        phase="loop",
        lesson="autograd",
        explanation=(
            "backward() adds new gradients to whatever is already in .grad. Without "
            "optimizer.zero_grad() before each backward pass, every step uses the sum of "
            "all earlier gradients, which were already applied: the updates grow and point "
            "in stale directions, and training wanders or blows up."
        ),
        fix=(
            "for x, y in loader:\n"
            "    optimizer.zero_grad()        # clear\n"
            "    loss = criterion(model(x), y)\n"
            "    loss.backward()              # compute\n"
            "    optimizer.step()             # use"
        ),
        detection=(
            "tensor hooks and post-accumulate-grad hooks on the parameters during the first "
            "backward passes: after a parameter update, the accumulated .grad equals the old "
            "gradient plus the new one"
        ),
    ),
    Mistake(
        id="softmax-before-cross-entropy",
        title="Softmax applied before a loss that already applies it",
        phase="gradients",
        lesson="mnist-classifier",
        explanation=(
            "nn.CrossEntropyLoss takes raw scores (logits) and applies log-softmax itself. "
            "Feeding it probabilities applies softmax twice: the scores are squashed into "
            "[0, 1], the loss can never get close to 0 and the gradients shrink, so training "
            "stalls. The same holds for sigmoid before BCEWithLogitsLoss, and NLLLoss "
            "expects log-probabilities (log_softmax), not probabilities."
        ),
        fix=(
            "logits = model(x)                  # no softmax at the end of the model\n"
            "loss = nn.CrossEntropyLoss()(logits, y)\n"
            "probs = logits.softmax(dim=1)      # only where you need probabilities"
        ),
        detection=(
            "interception of the loss functions: the input's grad_fn chain ends in "
            "SoftmaxBackward0 (or SigmoidBackward0), or its rows are non-negative and sum to 1"
        ),
    ),
    Mistake(
        id="eval-mode-missing",
        title="Evaluation runs with the model in training mode",
        phase="evaluation",
        lesson="mnist-classifier",
        explanation=(
            "Dropout and batch norm behave differently in training and evaluation. Without "
            "model.eval(), dropout keeps zeroing activations at random, so test accuracy is "
            "noisy and too low, and batch norm uses the statistics of the test batch (and "
            "even updates its running averages with test data)."
        ),
        fix=(
            "model.eval()\n"
            "with torch.no_grad():\n"
            "    for x, y in test_loader:\n"
            "        correct += (model(x).argmax(1) == y).sum().item()\n"
            "model.train()   # before training again"
        ),
        detection=(
            "module forward hooks: forwards of a trained model that no backward pass ever "
            "reaches, while its Dropout/BatchNorm submodules report training=True"
        ),
    ),
    Mistake(
        id="no-grad-missing",
        title="Evaluation records an autograd graph it never uses",
        phase="evaluation",
        lesson="mnist-classifier",
        explanation=(
            "With gradient tracking on, every forward pass stores the intermediate results "
            "needed for backward. During evaluation nothing calls backward, so that memory "
            "and time are wasted; on a large test set it can run out of memory."
        ),
        fix=(
            "model.eval()\n"
            "with torch.no_grad():          # or torch.inference_mode()\n"
            "    outputs = model(x)"
        ),
        detection=(
            "forward hooks plus a hook and a finaliser on the output's grad_fn: the graph of "
            "a forward was freed without any backward pass having reached it"
        ),
    ),
    Mistake(
        id="device-mismatch",
        title="Model and data are on different devices",
        phase="model",
        lesson="gpu-training",
        explanation=(
            "Every tensor in one operation must live on the same device. model.to(device) "
            "moves the parameters, but each batch the DataLoader yields is still on the CPU "
            "until you move it too."
        ),
        fix=(
            "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
            "model = model.to(device)\n"
            "for x, y in loader:\n"
            "    x, y = x.to(device), y.to(device)"
        ),
        detection=(
            "forward pre-hooks compare the input's device with the parameters' device; the "
            "RuntimeError about devices is translated when the script crashes"
        ),
    ),
    Mistake(
        id="non-scalar-backward",
        title="backward() called on a tensor with more than one element",
        phase="gradients",
        lesson="autograd",
        explanation=(
            "backward() without arguments needs a single number to differentiate. A loss "
            "with reduction='none', or an output that was never reduced, holds one value "
            "per sample; PyTorch cannot guess how to combine them."
        ),
        fix=(
            "loss = criterion(outputs, y)     # default reduction='mean' gives one number\n"
            "loss = per_sample_loss.mean()    # or reduce it yourself\n"
            "loss.backward()"
        ),
        detection="a wrapper on torch.autograd.backward sees the root's shape; the crash is translated",
    ),
    Mistake(
        id="inplace-autograd-conflict",
        title="An in-place operation overwrote a value autograd still needed",
        phase="gradients",
        lesson="autograd",
        explanation=(
            "Autograd saves some intermediate tensors during the forward pass to compute "
            "gradients later. Changing such a tensor in place (x += 1, x.relu_(), "
            "ReLU(inplace=True) after sigmoid, ...) destroys the saved value, and "
            "backward() refuses to continue."
        ),
        fix=(
            "x = x + 1            # instead of x += 1\n"
            "x = torch.relu(x)    # instead of x.relu_() or ReLU(inplace=True)"
        ),
        detection=(
            "the RuntimeError is translated; the run is replayed under anomaly detection with "
            "a function mode that records in-place calls, to find both lines"
        ),
    ),
    Mistake(
        id="layer-created-in-forward",
        title="A layer with parameters is created inside forward()",
        phase="model",
        lesson="nn-module",
        explanation=(
            "A layer built in forward() gets fresh random weights on every call. Its "
            "parameters are not in model.parameters() when the optimizer is created, so "
            "they are never trained and are thrown away after each batch."
        ),
        fix=(
            "class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.fc = nn.Linear(784, 10)   # build layers once, here\n"
            "    def forward(self, x):\n"
            "        return self.fc(x)              # only use them here"
        ),
        detection=(
            "nn.Module construction and parameter registration observed while a module's "
            "forward is running (tracked with global forward hooks)"
        ),
    ),
    Mistake(
        id="missing-super-init",
        title="super().__init__() is missing in a Module subclass",
        phase="model",
        lesson="nn-module",
        explanation=(
            "nn.Module.__init__ sets up the registries that hold parameters, submodules and "
            "hooks. Without calling it first, assigning a layer fails with 'cannot assign "
            "module before Module.__init__() call', or the object lacks attributes such as "
            "_parameters."
        ),
        fix=(
            "class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()            # first line of __init__\n"
            "        self.fc = nn.Linear(784, 10)"
        ),
        detection="the AttributeError is translated; the class comes from the crashing frame",
    ),
    Mistake(
        id="optimizer-missing-params",
        title="Some trainable parameters are not in the optimizer",
        phase="gradients",
        lesson="training-loop",
        explanation=(
            "An optimizer only updates the tensors it was given. Parameters that receive "
            "gradients but are not in any optimizer never change: the layer stays at its "
            "random initial values while the rest of the model trains around it."
        ),
        fix=(
            "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)   # all of them\n"
            "# layer added later?  optimizer.add_param_group({'params': new_layer.parameters()})\n"
            "# meant to freeze it? new_layer.requires_grad_(False)"
        ),
        detection=(
            "the autograd graph walked from the loss reaches nn.Parameter leaves that are "
            "missing from the param_groups of every optimizer that steps"
        ),
    ),
    Mistake(
        id="linear-collapse",
        title="Linear layers stacked without an activation between them",
        phase="model",
        lesson="nn-module",
        explanation=(
            "Two linear maps in a row are one linear map: W2(W1 x + b1) + b2 = W x + b. "
            "Without a non-linearity (ReLU, ...) between them, the extra layer adds "
            "parameters but no expressive power."
        ),
        fix=(
            "model = nn.Sequential(\n"
            "    nn.Linear(784, 256),\n"
            "    nn.ReLU(),              # the non-linearity between the layers\n"
            "    nn.Linear(256, 10),\n"
            ")"
        ),
        detection=(
            "Linear forward pre-hooks: the input's grad_fn is the output of another Linear, "
            "with only reshapes or dropout between (a narrower middle layer counts as a "
            "deliberate low-rank factorisation)"
        ),
    ),
    Mistake(
        id="class-prior-plateau",
        title="The model only learned the class frequencies",
        phase="evaluation",
        lesson="debugging-and-visualization",
        explanation=(
            "Loss going down does not mean training works. A model that predicts the same "
            "class for every input lowers the loss to the entropy of the label distribution "
            "and then stops; accuracy equals the share of the most common class. The inputs "
            "are being ignored."
        ),
        fix=(
            "# watch accuracy next to the loss\n"
            "acc = (logits.argmax(1) == y).float().mean().item()\n"
            "# then check the usual causes: learning rate, input scaling,\n"
            "# dead activations, and whether the labels match the inputs"
        ),
        detection=(
            "interception of cross_entropy: late training loss within a few percent of the "
            "label entropy while more than 90% of predictions are one class"
        ),
    ),
    Mistake(
        id="vanishing-gradients",
        title="Gradients vanish before they reach the first layers",
        phase="gradients",
        lesson="debugging-and-visualization",
        explanation=(
            "Each layer multiplies the gradient on its way back. With saturating "
            "activations (sigmoid, tanh) in a deep stack, or dead ReLUs, the early layers "
            "get gradients thousands of times smaller than the last one and barely learn."
        ),
        fix=(
            "nn.ReLU()                         # instead of nn.Sigmoid() between hidden layers\n"
            "nn.BatchNorm1d(hidden)            # keeps activations in a healthy range\n"
            "for name, p in model.named_parameters():   # check at the first iteration\n"
            "    print(name, p.grad.norm().item())"
        ),
        detection=(
            "per-layer gradient norms (per element) at the first iteration, first layer "
            "compared with the last"
        ),
    ),
    Mistake(
        id="exploding-gradients",
        title="Gradients explode (or the loss becomes inf/NaN)",
        phase="gradients",
        lesson="debugging-and-visualization",
        explanation=(
            "When gradients grow layer after layer or step after step, each update "
            "overshoots more than the last; the loss jumps, then becomes inf or NaN and "
            "every weight is ruined. A learning rate far too large, unscaled inputs or "
            "targets, and poor initialisation are the usual causes."
        ),
        fix=(
            "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)  # smaller learning rate\n"
            "x = (x - x.mean()) / x.std()                              # normalise the inputs\n"
            "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)   # safety net"
        ),
        detection=(
            "per-layer gradient norms at the first iteration and at sampled later steps "
            "(growth, inf/NaN), and the loss values passed to backward()"
        ),
    ),
    Mistake(
        id="label-dtype",
        title="Labels have the wrong dtype or shape for the loss",
        phase="gradients",
        lesson="mnist-classifier",
        explanation=(
            "Each loss expects a particular target: CrossEntropyLoss wants class indices as "
            "a 1-D int64 (long) tensor, or probabilities of the same shape as the logits; "
            "MSELoss and BCEWithLogitsLoss want float targets of the same shape as the "
            "output. Labels loaded as float or int32, or with an extra dimension, make the "
            "loss crash or compute something else."
        ),
        fix=(
            "loss = nn.CrossEntropyLoss()(logits, y.long())          # class indices\n"
            "loss = nn.BCEWithLogitsLoss()(logits.squeeze(1), y.float())\n"
            "loss = nn.MSELoss()(pred, y.float().view_as(pred))"
        ),
        detection="interception of the loss functions checks target dtype and shape; crashes are translated",
    ),
    Mistake(
        id="loss-broadcast",
        title="Output and target shapes broadcast inside the loss",
        phase="gradients",
        lesson="training-loop",
        explanation=(
            "An output of shape [N, 1] against a target of shape [N] broadcasts to [N, N]: "
            "MSELoss then compares every prediction with every target. The loss is a number "
            "as usual, so nothing crashes, but the model learns to predict the mean."
        ),
        fix=(
            "loss = criterion(pred.squeeze(1), y)    # both [N]\n"
            "# or: loss = criterion(pred, y.unsqueeze(1))   # both [N, 1]"
        ),
        detection="interception of the element-wise losses compares input and target shapes",
    ),
    Mistake(
        id="whole-model-save",
        title="The whole model object is pickled instead of its state_dict",
        phase="loop",
        lesson="saving-and-loading",
        explanation=(
            "torch.save(model) pickles the object, which stores a reference to your class "
            "and module path, not the architecture. Renaming or moving the file, or "
            "changing the class, breaks loading. The state_dict holds just the tensors and "
            "loads into any matching architecture."
        ),
        fix=(
            "torch.save(model.state_dict(), 'model.pt')\n"
            "model = Net()\n"
            "model.load_state_dict(torch.load('model.pt', weights_only=True))"
        ),
        detection="wrappers on torch.save and torch.load see an nn.Module object (the real save still runs)",
    ),
    Mistake(
        id="resume-without-optimizer-state",
        title="Training resumes without the optimizer's state",
        phase="loop",
        lesson="saving-and-loading",
        explanation=(
            "Optimizers such as Adam and SGD with momentum keep per-parameter state (running "
            "averages, momentum). Resuming with restored weights but a fresh optimizer is "
            "like giving an experienced pilot amnesia: the loss spikes before it recovers."
        ),
        fix=(
            "torch.save({'epoch': epoch, 'model': model.state_dict(),\n"
            "            'optimizer': optimizer.state_dict()}, 'checkpoint.pt')\n"
            "ckpt = torch.load('checkpoint.pt')\n"
            "model.load_state_dict(ckpt['model'])\n"
            "optimizer.load_state_dict(ckpt['optimizer'])"
        ),
        detection=(
            "wrappers on torch.load, Module.load_state_dict and Optimizer.load_state_dict, "
            "and the optimizer step hooks that follow"
        ),
    ),
    Mistake(
        id="view-instead-of-permute",
        title="view()/reshape() used to reorder dimensions",
        phase="model",
        lesson="tensors",
        explanation=(
            "view and reshape keep the elements in memory order and only reinterpret the "
            "shape. Turning [N, H, W, C] into [N, C, H, W] with view scrambles the values: "
            "the shape looks right, but each 'channel' now holds pieces of different pixels. "
            "Reordering dimensions needs permute (or transpose)."
        ),
        fix=(
            "x = x.permute(0, 3, 1, 2)          # [N, H, W, C] -> [N, C, H, W]\n"
            "x = x.transpose(0, 1)              # [N, T, F] -> [T, N, F]\n"
            "x = x.permute(0, 2, 1).reshape(n, -1)   # reorder first, then flatten"
        ),
        detection=(
            "wrappers on Tensor.view/reshape during the first steps: the new shape is a "
            "reordering of the old one (dimensions of size 1 aside), called from your code"
        ),
    ),
    Mistake(
        id="unshuffled-training-data",
        title="Training data is not shuffled",
        phase="loop",
        lesson="datasets-and-dataloaders",
        explanation=(
            "Without shuffling, every epoch presents the samples in the same order; if the "
            "data is sorted (by class, by time), each batch holds one kind of example and "
            "the model chases the latest batch instead of learning the whole distribution."
        ),
        fix=(
            "train_loader = DataLoader(train_set, batch_size=64, shuffle=True)\n"
            "test_loader = DataLoader(test_set, batch_size=256)   # no shuffle needed"
        ),
        detection=(
            "wrappers on DataLoader iteration: a loader with a SequentialSampler is being "
            "iterated while optimizer steps happen; or the training batches arrive sorted by label"
        ),
    ),
    Mistake(
        id="loss-accumulated-with-graph",
        title="Losses are summed as tensors, keeping every graph alive",
        phase="loop",
        lesson="autograd",
        explanation=(
            "total_loss += loss adds the tensor, together with its autograd history. Each "
            "step's graph stays reachable from the running total, so memory grows for the "
            "whole epoch. For logging you only need the number."
        ),
        fix=(
            "total_loss += loss.item()          # a Python float, no graph\n"
            "history.append(loss.detach())      # or a detached tensor"
        ),
        detection=(
            "a finaliser stored in each loss's grad_fn metadata: graphs of earlier steps are "
            "still alive many steps after their backward pass"
        ),
    ),
    Mistake(
        id="step-before-backward",
        title="optimizer.step() runs without the gradients of this iteration",
        phase="loop",
        lesson="training-loop",
        explanation=(
            "The order within an iteration is clear, compute, use: zero_grad(), backward(), "
            "step(). When step() comes before backward() (or zero_grad() sits between "
            "backward() and step()), each update uses no gradient at all or the previous "
            "batch's, so the model learns nothing or lags one batch behind."
        ),
        fix=(
            "optimizer.zero_grad()\n"
            "loss = criterion(model(x), y)\n"
            "loss.backward()\n"
            "optimizer.step()   # last"
        ),
        detection=(
            "optimizer step pre-hooks with the backward and zero_grad counters: a step that "
            "finds no gradient from a backward pass since the previous step"
        ),
    ),
    Mistake(
        id="missing-optimizer-step",
        title="Gradients are computed but optimizer.step() is never called",
        phase="loop",
        lesson="training-loop",
        explanation=(
            "backward() only computes gradients; it changes no weight. Without "
            "optimizer.step() the parameters stay at their initial values however long you "
            "train."
        ),
        fix=(
            "loss.backward()\n"
            "optimizer.step()        # apply the update\n"
            "optimizer.zero_grad()"
        ),
        detection=(
            "an optimizer exists and backward() runs repeatedly, but no optimizer step hook "
            "fires and the parameters' version counters never change"
        ),
    ),
    Mistake(
        id="all-parameters-frozen",
        title="Every parameter is frozen (requires_grad=False)",
        phase="gradients",
        lesson="autograd",
        explanation=(
            "Learning happens only where gradients flow. With requires_grad=False on every "
            "parameter, no gradient is computed for any of them; backward() fails with "
            "'element 0 of tensors does not require grad', or the optimizer silently does "
            "nothing."
        ),
        fix=(
            "for p in model.parameters():\n"
            "    p.requires_grad_(False)\n"
            "for p in model.classifier.parameters():   # unfreeze the part you train\n"
            "    p.requires_grad_(True)"
        ),
        detection=(
            "optimizer step hooks and the crash translation check requires_grad on the "
            "optimizer's and the model's parameters"
        ),
    ),
    Mistake(
        id="detached-loss",
        title="The loss is cut off from the model's parameters",
        phase="gradients",
        lesson="autograd",
        explanation=(
            "backward() can only reach parameters through the recorded graph. A loss made "
            "with .item(), .detach(), .numpy(), torch.tensor(...), argmax, or under "
            "torch.no_grad() has no path back to the weights, so no gradient reaches them "
            "(or backward() fails with 'does not require grad')."
        ),
        fix=(
            "logits = model(x)                 # keep tensors, no .item()/.detach() here\n"
            "loss = criterion(logits, y)\n"
            "loss.backward()\n"
            "print(loss.item())                # .item() only for logging"
        ),
        detection=(
            "grad_fn chain inspection at backward(): the root is a leaf or reaches no "
            "nn.Parameter; the 'does not require grad' crash is translated"
        ),
    ),
    # ---- extra entries, asked for by the exercise checkers -------------------------
    Mistake(
        id="update-outside-no-grad",
        title="A manual parameter update runs with gradient tracking on",
        phase="loop",
        lesson="autograd",
        explanation=(
            "w -= lr * w.grad on a tensor that requires grad is itself recorded by autograd: "
            "in place it fails ('a leaf Variable that requires grad is being used in an "
            "in-place operation'), and as w = w - lr * w.grad it turns w into a non-leaf "
            "whose .grad stays None. Updates belong inside torch.no_grad()."
        ),
        fix=(
            "with torch.no_grad():\n"
            "    w -= lr * w.grad\n"
            "    w.grad.zero_()"
        ),
        detection="the in-place RuntimeError and the non-leaf .grad warning are translated",
        required=False,
    ),
    Mistake(
        id="forward-called-directly",
        title="model.forward(x) is called instead of model(x)",
        phase="model",
        lesson="nn-module",
        explanation=(
            "Calling the module, model(x), runs forward() together with the hooks PyTorch "
            "and tools rely on. model.forward(x) skips them, so hooks, and with them many "
            "debugging and profiling tools, silently see nothing."
        ),
        fix="outputs = model(x)     # not model.forward(x)",
        detection=(
            "global forward hooks: a submodule runs with no hooked parent call, and the "
            "calling frame is the parent's forward method"
        ),
        required=False,
    ),
    Mistake(
        id="missing-backward",
        title="optimizer.step() is called but backward() never is",
        phase="loop",
        lesson="training-loop",
        explanation=(
            "The optimizer updates parameters from their .grad, and only backward() fills "
            ".grad. Without loss.backward() every step has nothing to apply and the model "
            "never changes."
        ),
        fix=(
            "optimizer.zero_grad()\n"
            "loss = criterion(model(x), y)\n"
            "loss.backward()      # fills .grad\n"
            "optimizer.step()"
        ),
        detection="optimizer step hooks fire while the wrapper on torch.autograd.backward never does",
        required=False,
    ),
    Mistake(
        id="train-mode-not-restored",
        title="Training continues in eval mode after an evaluation",
        phase="evaluation",
        lesson="mnist-classifier",
        explanation=(
            "model.eval() stays in effect until model.train() is called. If the evaluation "
            "inside the epoch loop switches to eval mode and the next epoch does not switch "
            "back, dropout is off and batch norm stops learning its statistics for the rest "
            "of training."
        ),
        fix=(
            "for epoch in range(epochs):\n"
            "    model.train()          # at the top of every epoch\n"
            "    for x, y in train_loader:\n"
            "        ...\n"
            "    evaluate(model)        # calls model.eval() inside"
        ),
        detection=(
            "forward hooks record the mode of each forward that a backward pass reaches; "
            "training forwards in eval mode after earlier ones in train mode"
        ),
        required=False,
    ),
]

REQUIRED_IDS: list[str] = [m.id for m in CATALOGUE if m.required]
_BY_ID = {m.id: m for m in CATALOGUE}


def get(mistake_id: str) -> Mistake:
    """The catalogue entry with this id; KeyError names the unknown id."""
    try:
        return _BY_ID[mistake_id]
    except KeyError:
        raise KeyError(f"unknown catalogue id {mistake_id!r}") from None


def ids() -> list[str]:
    return [m.id for m in CATALOGUE]


def catalogue_as_dicts() -> list[dict]:
    """The catalogue as plain data, in catalogue order (for ``doctor --list --json``)."""
    return [m.to_dict() for m in CATALOGUE]
