"""Checker for saving-and-loading/inspect-state-dict: names, shapes, buffers, value count, a real snapshot."""

import torch
import torch.nn as nn

from torchtutor.checks import Wrong, describe, expect_true, fail


def check(ex):
    model = ex.get("model")
    expect_true(isinstance(model, nn.Module), f"`model` should be the nn.Module of the exercise, but it is "
                f"{describe(model)}.", failure="wrong-type")
    state = model.state_dict()
    param_names = [name for name, _ in model.named_parameters()]
    n_params = sum(p.numel() for p in model.parameters())

    names = ex.get("names")
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        fail(f"`names` should be a list of strings, the state_dict's keys, but it is {describe(names)}.",
             "list(model.state_dict()) gives the keys in order.", failure="wrong-type")
    for w in [Wrong("`names` holds the parameters only: model.named_parameters() leaves out the buffers.",
                    when=lambda v: list(v) == param_names and list(v) != list(state),
                    details=["The state_dict also holds batch norm's running_mean, running_var and "
                             "num_batches_tracked: values the model needs in eval mode, which no optimizer trains."],
                    misconceptions=["state-dict-is-parameters"], failure="parameters-only")]:
        if w.matches(names, 0, 0):
            w.raise_()
    if list(names) != list(state):
        missing = [n for n in state if n not in names]
        extra = [n for n in names if n not in state]
        fail("`names` is not the list of the state_dict's keys, in order.",
             *([f"Missing: {', '.join(missing)}."] if missing else []),
             *([f"Not in the state_dict: {', '.join(extra)}."] if extra else []),
             *(["Same names, other order: keep the state_dict's own order."] if not missing and not extra else []),
             failure="wrong-names")

    shapes = ex.get("shapes")
    if not isinstance(shapes, dict):
        fail(f"`shapes` should be a dict from name to shape, but it is {describe(shapes)}.", failure="wrong-type")
    if set(shapes) != set(state):
        fail("`shapes` should have one entry per state_dict key, and no others.",
             f"It has {len(shapes)} entries; the state_dict has {len(state)}.", failure="wrong-names")
    for name, tensor in state.items():
        got = shapes[name]
        if isinstance(got, torch.Tensor):
            fail(f"`shapes[{name!r}]` is a tensor; it should be the tensor's shape, as a tuple of ints.",
                 failure="shapes-not-tuples")
        if not isinstance(got, tuple) or tuple(got) != tuple(tensor.shape):
            fail(f"`shapes[{name!r}]` is {describe(got)}, but that entry has shape {tuple(tensor.shape)}.",
                 "Use tuple(tensor.shape) for each entry of model.state_dict().", failure="shapes-not-tuples")

    buffers = ex.get("buffer_names")
    want_buffers = set(state) - set(param_names)
    try:
        got_buffers = set(buffers)
    except TypeError:
        fail(f"`buffer_names` should be a set of names, but it is {describe(buffers)}.", failure="wrong-type")
    if got_buffers != want_buffers:
        fail(f"`buffer_names` should hold the {len(want_buffers)} entries that are not parameters: "
             f"{', '.join(sorted(want_buffers))}.",
             f"Yours: {', '.join(sorted(map(str, got_buffers))) or 'nothing'}. Take the state_dict's keys minus the "
             "names from model.named_parameters().", failure="buffers-wrong",
             misconceptions=["state-dict-is-parameters"])

    n_values = ex.get("n_values")
    want = sum(t.numel() for t in state.values())
    wrong = [
        Wrong(f"`n_values` is {n_params}, the number of parameters. The state_dict holds {want - n_params} more "
              "values: batch norm's buffers (running_mean, running_var, num_batches_tracked).",
              value=n_params, misconceptions=["state-dict-is-parameters"], failure="counted-parameters"),
        Wrong(f"`n_values` is {len(state)}, the number of entries. Count the numbers inside them: "
              "sum(t.numel() for t in model.state_dict().values()).", value=len(state), failure="counted-entries"),
    ]
    for w in wrong:
        if w.matches(n_values, 0, 0):
            w.raise_()
    if isinstance(n_values, torch.Tensor) or not isinstance(n_values, (int, float)) or n_values != want:
        fail(f"`n_values` is {describe(n_values)}, but the state_dict holds {want} values in all.",
             "Add up t.numel() over every entry, buffers included.", failure="wrong-value")

    snapshot = ex.get("snapshot")
    if not isinstance(snapshot, dict) or set(snapshot) != set(state):
        fail(f"`snapshot` should be a copy of the whole state_dict (a dict with its {len(state)} keys), but it is "
             f"{describe(snapshot)}.", failure="wrong-type")
    before = {name: tensor.detach().clone() for name, tensor in state.items()}
    for name, tensor in before.items():
        if not torch.equal(torch.as_tensor(snapshot[name]), tensor):
            fail(f"`snapshot[{name!r}]` does not hold the model's current values.",
                 "Take the snapshot right after building the model: copy.deepcopy(model.state_dict()).",
                 failure="wrong-values")
    with torch.no_grad():                      # what training would do: every knob moves
        for p in model.parameters():
            p.add_(1.0)
    try:
        moved = [name for name in param_names if not torch.equal(snapshot[name], before[name])]
    finally:
        with torch.no_grad():
            for p in model.parameters():
                p.sub_(1.0)
    if moved:
        fail(f"`snapshot` moved with the model: after the checker changed the weights, {moved[0]} in your snapshot "
             "changed too.",
             "model.state_dict() does not copy: its tensors share memory with the parameters. A snapshot that survives "
             "training is copy.deepcopy(model.state_dict()) (or a file written with torch.save).",
             misconceptions=["state-dict-is-a-copy"], failure="snapshot-aliases-model")
    return (f"{len(state)} entries, {want} values: {n_params} in parameters and {want - n_params} in batch norm's "
            "buffers. And your snapshot stayed put when the weights moved.")
