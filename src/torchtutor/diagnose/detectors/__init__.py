"""The detectors: one module per family of mistakes, each behind the probe's event hub.

A detector subclasses :class:`.base.Detector`. The probe (:mod:`..probe`) calls its ``on_*``
methods as events happen (``on_step``, ``on_backward``, ``on_graph``, ``on_loss``,
``on_model_call``, ...; see :mod:`..hooks` for where each comes from), then ``finish(obs)``
on every detector, then ``settle(obs)`` (where a symptom looks for a cause reported by
another detector). A detector owns its evidence and decides its own findings, through
``self.report(id, severity, variant, location, ...)``, whose text is the catalogue's
``messages.variant`` for that id filled with the fields given.

=================  ==========================================================================
module             ids
=================  ==========================================================================
gradients          missing-zero-grad, vanishing-gradients, exploding-gradients
loop               step-before-backward, missing-backward, missing-optimizer-step,
                   all-parameters-frozen, optimizer-missing-params, detached-loss,
                   non-scalar-backward, loss-accumulated-with-graph, update-outside-no-grad
loss               softmax-before-cross-entropy, label-dtype, loss-broadcast
training           class-prior-plateau
evaluation         eval-mode-missing, no-grad-missing, train-mode-not-restored
persistence        whole-model-save, resume-without-optimizer-state
modules            forward-called-directly, device-mismatch, linear-collapse,
                   layer-created-in-forward
data               unshuffled-training-data, view-instead-of-permute
=================  ==========================================================================

Crashes (inplace-autograd-conflict, missing-super-init and the crash translations of the ids
above) are explained by :mod:`..crash`.
"""

from .data import DataDetector
from .evaluation import EvaluationDetector
from .gradients import GradientDetector
from .loop import LoopDetector
from .loss import LossDetector
from .modules import ModuleDetector
from .persistence import PersistenceDetector
from .training import TrainingDetector

#: In the order the probe calls them (finish order sets the order of findings within a phase).
DETECTORS = (GradientDetector, LoopDetector, LossDetector, TrainingDetector, EvaluationDetector,
             PersistenceDetector, ModuleDetector, DataDetector)

__all__ = ["DETECTORS", "DataDetector", "EvaluationDetector", "GradientDetector", "LoopDetector", "LossDetector",
           "ModuleDetector", "PersistenceDetector", "TrainingDetector"]
