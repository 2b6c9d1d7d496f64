"""dni_course: the code the course's notebooks build, kept so later notebooks can import it.

Where each piece is introduced:

- 01 dataset: :mod:`dni_course.data` (``addition_data``, ``held_out_data``, ``describe``)
- 02 baseline: ``sigmoid``, ``init_weights``, :mod:`dni_course.baseline` (the script), :mod:`dni_course.metrics`,
  :mod:`dni_course.gradcheck`
- 03 Layer refactor: ``Layer``, ``Network``, ``errata.PostGroupingLayer``
- 04 DNI: ``SyntheticGradient``, :func:`train` with ``method="dni"``, :mod:`dni_course.errata`
- 05 cDNI: :func:`train` with ``method="cdni"``
- beyond the post: ``MLPSyntheticGradient``, :func:`train` with ``method="output_only"``,
  ``send_down``, ``generator``, ``target_delay``
- 07 the paper's claims at toy scale: ``ReLULayer``, ``SoftmaxLayer``, ``LinearLayer``,
  ``Network.create(..., activation="relu", output="softmax")``, :mod:`dni_course.digits`
- 06 decoupling: :mod:`dni_course.devices` (layers as simulated devices, ``DelayExplorer``)
- 08 landscape: :mod:`dni_course.sweep` (many networks trained at once)
- 09 random feedback: :mod:`dni_course.feedback` (FA and DFA)
- 10 through time: :mod:`dni_course.recurrent` (a tanh RNN, truncated BPTT, a synthetic gradient
  at each chunk boundary, the task "echo k")
- a task (what ``train`` needs of its data): :class:`~dni_course.task.Task`, which ``AdditionData``
  and ``DigitsData`` implement; a run's records: :mod:`dni_course.history`
- figures and sliders: :mod:`dni_course.plots`, :mod:`dni_course.widgets`
"""
import numpy as _np  # noqa: F401  (loads numpy's BLAS, so that the limit below applies to it)
from threadpoolctl import threadpool_limits as _threadpool_limits

# One BLAS thread for the whole process, however the course is started (JupyterLab, Binder,
# nbval, a script). The course's matrices are tiny: a second thread only waits for a core,
# and on a shared CPU (a Binder node, a busy laptop) that waiting made everything 4-10x slower.
_threadpool_limits(limits=1, user_api="blas")

from .data import AdditionData, addition_data, describe, from_bits, held_out_data, to_bits
from .layers import (Layer, LinearLayer, MLPSyntheticGradient, Network, ReLULayer, SoftmaxLayer,
                     SyntheticGradient, init_weights, sigmoid)
from .metrics import (accuracy_per_bit, cosine_similarity, evaluate, post_error, report, scores,
                      spread)
from .history import History
from .task import Task
from .training import METHODS, TrainingDiverged, gradient_alignment, train

__version__ = "0.1.0"
from . import baseline, digits, errata, gradcheck, plots, widgets  # noqa: E402  (submodules, as dc.plots etc.)
from . import devices, sweep  # noqa: E402  (notebooks 06 and 08: layers as devices, many networks at once)
from . import feedback  # noqa: E402  (notebook 09: fixed random feedback, FA and DFA)
from . import recurrent  # noqa: E402  (notebook 10: a recurrent network, truncation, synthetic gradients)
