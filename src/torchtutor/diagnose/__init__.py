"""Find the silent mistakes in PyTorch code from runtime evidence.

This package owns the mistake catalogue and the probes that detect its entries. It imports
only torch, torchinfo and the standard library; the CLI, the runner, the progress store and
the curriculum sit above it and call it.

Inside: ``catalogue.toml`` (the entries and all learner-facing text), ``probe.py`` and
``hooks.py`` (the event hub: install, patch, dispatch, budget, findings), ``detectors/`` (one
module per family of mistakes, see its docstring for which owns which id), ``crash.py``
(exceptions), ``child.py``/``doctor.py`` (running a script) and ``render.py`` (the report).

The catalogue
-------------
``CATALOGUE`` is a list of :class:`Mistake` entries with stable ids (``missing-zero-grad``,
``softmax-before-cross-entropy``, ...), each with a title, a plain-language explanation, the
fix as code, the lesson that teaches it, its checklist phase and the evidence used to detect
it. ``get(id)`` returns one entry, ``catalogue_as_dicts()`` the JSON form.

In-process use (exercise checkers)
----------------------------------
A checker runs the learner's code inside the runner's forked child and asks what happened::

    from torchtutor import diagnose

    with diagnose.instrument() as session:      # a Probe; hooks live only inside the block
        learner.train(model, data, steps=5)
    if session.has("missing-zero-grad"):        # session.ids: the ids of the warnings
        finding = next(f for f in session.warnings if f.id == "missing-zero-grad")
        print(finding.message)                  # observed numbers, why it matters
        print(finding.fix)                      # the fix, as code

``session.findings`` holds every finding (warnings first), ``session.warnings`` and
``session.infos`` split them, ``session.observations`` has the raw numbers (per-parameter
gradient norms at the first backward pass, the loop pattern, loss and accuracy) and
``session.crash`` the exception, if any. ``instrument(max_steps=..., max_seconds=...)`` sets
a budget.

Exceptions raised inside the block are recorded (translated into a finding when one fits)
and re-raised. To translate an exception caught elsewhere::

    finding = diagnose.explain_exception(exc)   # Finding | None
    # e.g. "non-scalar-backward" for "grad can be implicitly created only for scalar outputs"

``Probe(max_steps=..., max_seconds=...)`` stops the run by raising :class:`StopRun` (a
BaseException that ``with`` swallows) when its budget is spent. A :class:`Finding` has
``id, severity ('warning' | 'info'), phase, title, message, evidence, fix, location, lesson``
and ``to_dict()``. Info findings record checks that passed for a reason worth knowing
(gradient accumulation, Monte Carlo dropout, soft labels, low-rank factorisation, staged
unfreezing, a parameter-free module built in forward).

The training-loop probe (exercise checkers)
-------------------------------------------
:mod:`.loop_probe` watches one model while a learner's training function runs on it: forward
passes, backward() and zero_grad() calls, and at every optimizer step the gradient step() used
next to that iteration's own gradient. ``loop_mistake(probe)`` names the first loop mistake the
evidence shows (missing-zero-grad, step-before-backward, zero-gradient, ...); see its docstring::

    from torchtutor.diagnose.loop_probe import LoopProbe, loop_mistake

    with LoopProbe(model, max_steps=2000) as probe:
        learner.train(model, optimizer, loss_fn, X, y, epochs=40)
    mistake = loop_mistake(probe)       # LoopMistake(id, step, evidence) or None

The doctor
----------
``run_doctor(script, args, max_seconds=60, max_steps=None)`` runs a script as ``__main__``
in a child process (:mod:`.child`) under a Probe and returns a :class:`DoctorReport`
(``to_dict()`` is the ``--json`` document; ``exit_code`` is 1 with warnings, else 0).
:func:`report_text` and :class:`ReportView` (a rich renderable) show it grouped by the four
phases of the debugging checklist; :func:`catalogue_text` and :class:`CatalogueView` show the
catalogue.
"""

from .catalogue import CATALOGUE, LESSONS, PHASES, REQUIRED_IDS, Mistake, catalogue_as_dicts, get, ids
from .crash import explain_exception
from .doctor import DoctorReport, DoctorUsageError, run_doctor, run_many
from .findings import INFO, WARNING, Finding, Location
from .render import CatalogueView, ReportView, catalogue_text, finding_lines, report_lines, report_text

__all__ = [
    "CATALOGUE", "LESSONS", "PHASES", "REQUIRED_IDS", "Mistake", "catalogue_as_dicts", "get", "ids",
    "explain_exception", "DoctorReport", "DoctorUsageError", "run_doctor", "run_many", "INFO", "WARNING", "Finding",
    "Location", "Probe", "StopRun", "instrument", "CatalogueView", "ReportView", "catalogue_text",
    "finding_lines", "report_lines", "report_text",
]


def __getattr__(name: str):
    """The probe imports torch, so it is loaded on first use: reading the catalogue (the CLI
    explaining a verdict, ``doctor --list``) stays a few milliseconds."""
    if name in {"Probe", "StopRun", "instrument"}:
        from . import probe

        return getattr(probe, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
