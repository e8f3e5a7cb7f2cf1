"""Checker for saving-and-loading/round-trip: save_weights, load_weights and same_model, on the checker's own models."""

import pickle
import tempfile
from pathlib import Path

import torch
import torch.nn as nn

from torchtutor.checks import describe, fail


def _twin(model: nn.Module, make_model) -> nn.Module:
    twin = make_model()
    twin.load_state_dict(model.state_dict())
    return twin


def _outputs_equal(a: nn.Module, b: nn.Module, x: torch.Tensor) -> bool:
    a.eval()
    b.eval()
    with torch.no_grad():
        return torch.allclose(a(x), b(x))


def check(ex):
    make_model = ex.get("make_model")
    torch.manual_seed(123)
    trained = make_model()
    with torch.no_grad():                      # values no fresh model could have by chance
        for p in trained.parameters():
            p.mul_(3.0).add_(0.25)
    x = torch.randn(16, 5)

    with tempfile.TemporaryDirectory(prefix="torchtutor-check-") as folder:
        path = Path(folder) / "weights.pt"
        ex.call("save_weights", trained, path)
        if not path.is_file():
            fail("`save_weights(model, path)` did not write a file at `path`.",
                 "torch.save(model.state_dict(), path) writes it.", failure="no-file")
        try:
            saved = torch.load(path, weights_only=True)
        except pickle.UnpicklingError:
            whole = torch.load(path, weights_only=False)
            if isinstance(whole, nn.Module):
                fail("`save_weights` pickled the whole model object: torch.load(path, weights_only=True) refuses the "
                     "file.",
                     "A pickled model stores a reference to your class by module and name, so it breaks as soon as the "
                     "code moves. Save the values only: torch.save(model.state_dict(), path).",
                     misconceptions=["whole-model-save-is-safe"], failure="whole-model-saved")
            fail(f"The file holds {describe(whole)}, which torch.load(path, weights_only=True) refuses.",
                 "Save the model's state_dict: a dict of tensors.", failure="wrong-file")
        if not isinstance(saved, dict) or list(saved) != list(trained.state_dict()):
            fail(f"The file should hold the model's state_dict, but it holds {describe(saved)}.",
                 "torch.save(model.state_dict(), path).", failure="wrong-file")
        if not all(torch.equal(saved[k], v) for k, v in trained.state_dict().items()):
            fail("The file's tensors are not the values of the model that was passed in.",
                 "Save the `model` argument's state_dict, not another model's.", failure="wrong-file")

        restored = ex.call("load_weights", path)
        if isinstance(restored, tuple) and hasattr(restored, "missing_keys"):
            fail("`load_weights` returned what load_state_dict returns: a report of the keys, not a model.",
                 "load_state_dict copies the values into the model in place and returns <All keys matched "
                 "successfully>. Call it, then `return model`.",
                 misconceptions=["load-state-dict-returns-model"], failure="returned-load-report")
        if not isinstance(restored, nn.Module):
            fail(f"`load_weights(path)` should return a model, but it returned {describe(restored)}.",
                 failure="not-loaded" if restored is None else "wrong-type")
        if restored is trained:
            fail("`load_weights` returned the very model that was saved, not a new one built from the file.",
                 "Build a fresh one with make_model() and load the file's state_dict into it.", failure="returned-original")
        if not _outputs_equal(trained, restored, x):
            fail("The model `load_weights` returned does not compute what the saved model computes.",
                 "It still has fresh, random weights: after make_model(), call "
                 "model.load_state_dict(torch.load(path, weights_only=True)).", failure="not-loaded")

        # A second file with other values: the function must read the file it is given.
        with torch.no_grad():
            for p in trained.parameters():
                p.neg_()
        other = Path(folder) / "other.pt"
        torch.save(trained.state_dict(), other)
        again = ex.call("load_weights", other)
        if not isinstance(again, nn.Module) or not _outputs_equal(trained, again, x):
            fail("`load_weights(path)` did not load the file it was given: for a second file, with other values, it "
                 "returned a model with the first file's weights (or none at all).",
                 "Read `path`, the argument: torch.load(path, weights_only=True).", failure="ignored-file")

    twin = _twin(trained, make_model)
    stranger = make_model()
    trained.train()
    twin.train()
    said_twins = ex.call("same_model", trained, twin, x)
    if not isinstance(said_twins, bool):
        fail(f"`same_model` should return True or False (a Python bool), but it returned {describe(said_twins)}.",
             "torch.allclose(...) returns a bool; (a == b).all() returns a tensor (add .item()).",
             failure="same-model-wrong")
    if not said_twins:
        fail("`same_model` says two models with identical weights differ.",
             "The models contain dropout: in training mode it zeroes a random half of the activations on every call, "
             "so even twins disagree. Switch both to eval mode (a.eval(); b.eval()) before comparing.",
             failure="same-model-wrong")
    if ex.call("same_model", trained, stranger, x) is not False:
        fail("`same_model` says two models with different weights are the same.",
             "Compare the outputs with torch.allclose(a(x), b(x)).", failure="same-model-wrong")
    return ("Round trip verified: the file is a state_dict that loads with weights_only=True, load_weights builds the "
            "architecture in code and pours the values in, and same_model tells twins from strangers.")
