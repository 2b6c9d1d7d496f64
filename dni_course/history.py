"""What a training run records (:class:`History`), and the checks of a run passed as an argument.

``training`` fills a History; ``metrics``, ``plots``, ``widgets`` and ``devices`` read one. It
lives apart from the training loop so that the readers need not import the loop.
"""
from dataclasses import dataclass, field

import numpy as np

from .checks import _show, check_choice, check_fraction, check_instance
from .layers import Network


@dataclass
class History:
    """What a training run recorded, one entry per measured epoch."""

    method: str
    alpha: float
    batch_size: int
    net: Network
    generators: list
    epochs: list = field(default_factory=list)
    train: list = field(default_factory=list)  # dicts of the task's scores (Task.evaluate)
    measured: list = field(default_factory=list)  # the epochs of test, generator_loss, alignment
    test: list = field(default_factory=list)
    post_error: list = field(default_factory=list)  # the post's printed error, per epoch
    generator_loss: list = field(default_factory=list)  # per hidden layer, mean per example
    alignment: list = field(default_factory=list)  # cosine(synthetic, true) per hidden layer
    seconds: float = 0.0
    stopped_early: bool = False
    metric: str = "bit_accuracy"  # what epochs_to and stop_at read: the task's (Task.metric)

    def series(self, metric, split="train"):
        """One metric over the measured epochs, e.g. ``series("bit_accuracy", "test")``."""
        rows = check_split(self, split)
        return np.array([row[check_metric(rows, metric)] for row in rows])

    def epochs_to(self, accuracy, split="train"):
        """First measured epoch with bit accuracy (digits: accuracy) at or above ``accuracy``, or None."""
        accuracy = check_fraction("accuracy", accuracy)
        hits = np.flatnonzero(self.series(self.metric, split) >= accuracy)
        epochs = self.epochs if split == "train" else self.measured
        return epochs[hits[0]] if hits.size else None

    def final(self, split="train"):
        return check_split(self, split)[-1]


def check_split(history, split):
    """The records of one split of a run: ``"train"``, or ``"test"`` when it was given held-out data."""
    split = check_choice("split", split, ("train", "test"))
    rows = history.train if split == "train" else history.test
    if not rows:
        what = "held-out data: pass test= to train" if split == "test" else "epochs recorded"
        raise ValueError(f"split must name records this run has, got {split!r}: the run has no {what}")
    return rows


def check_metric(rows, metric):
    """A metric that the records hold, such as "loss" or "bit_accuracy"."""
    return check_choice("metric", metric, tuple(rows[0]))


def check_history(name, value):
    """One finished run, as returned by ``dni_course.train``."""
    check_instance(name, value, History, " (returned by dni_course.train)")
    if not value.train:
        raise ValueError(f"{name} must be a run with at least one recorded epoch, got an empty History")
    return value


def check_histories(name, value):
    """A non-empty list of finished runs."""
    if isinstance(value, History) or not isinstance(value, (list, tuple)) or not value:
        raise TypeError(f"{name} must be a list of runs returned by dni_course.train, e.g. [history], "
                        f"got {_show(value)}")
    for i, h in enumerate(value):
        check_history(f"{name}[{i}]", h)
    return list(value)
