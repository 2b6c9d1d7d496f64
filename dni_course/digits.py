"""A real dataset for notebook 07: the 8x8 handwritten digits that ship with scikit-learn.

``sklearn.datasets.load_digits`` reads 1797 small images (8x8 pixels, intensities 0-16) from a
file inside the scikit-learn package: nothing is downloaded, so the course also runs offline.
"""
from dataclasses import dataclass, field

import numpy as np

from .checks import big, check_array, check_fraction, check_rows, make_rng
from .layers import MAX_ACTIVATIONS
from .task import Task, check_net_data

N_CLASSES = 10


@dataclass(frozen=True)
class DigitsData(Task):
    """Images as rows ``x`` (n, 64), pixels scaled to [0, 1]; ``labels`` (n,) the digits 0-9;
    ``y`` (n, 10) the same labels one-hot, the targets a softmax output is trained toward."""

    x: np.ndarray
    labels: np.ndarray
    y: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        _check_digits(self, N_CLASSES)
        object.__setattr__(self, "y", np.eye(N_CLASSES)[self.labels])

    def __len__(self):
        return len(self.labels)

    # What the task says about itself (dni_course.task.Task): train and the explorers read it.
    name = "handwritten digits"
    examples = "the digits"
    inputs_are = " (pixels)"
    outputs_are = " (classes)"
    metric = "accuracy"
    where = "dni_course.digits.load_digits_data"
    network = {"activation": "relu", "output": "softmax", "init": "he", "bias": True}  # notebook 07's

    def scores(self, output):
        """Cross-entropy per example and the fraction of images whose most likely class is right."""
        picked = output[np.arange(len(self)), self.labels]
        return {
            "loss": float(-np.mean(np.log(np.maximum(picked, 1e-30)))),
            "accuracy": float(np.mean(output.argmax(axis=1) == self.labels)),
        }

    def headline(self, output):
        """Accuracy of outputs with leading axes, e.g. (networks, examples, classes) -> (networks,)."""
        return (output.argmax(axis=-1) == self.labels).mean(axis=-1)


def _check_digits(data, n_classes):
    """``DigitsData``'s fields: images ``x`` (n, pixels) in [0, 1] and whole-number ``labels`` (n,)
    from 0 to n_classes - 1 (set in place on the frozen dataclass, as arrays)."""
    x = check_array("x", data.x, (None, None), low=0, high=1)
    labels = check_rows("labels", check_array("labels", data.labels, (None,), low=0, high=n_classes - 1), "x", x)
    if labels.dtype.kind == "f":
        if not (labels == np.round(labels)).all():
            raise ValueError(f"labels must hold whole numbers (classes 0 to {n_classes - 1}), "
                             f"got {labels[labels != np.round(labels)][0]}")
        labels = labels.astype(np.int64)
    object.__setattr__(data, "x", x)
    object.__setattr__(data, "labels", labels)


def load_digits_data(test_fraction=0.2, seed=0):
    """The digits shuffled with ``seed`` and split into (training, held-out) :class:`DigitsData`."""
    from sklearn.datasets import load_digits  # imported here: only notebook 07 needs scikit-learn

    test_fraction = check_fraction("test_fraction", test_fraction)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be above 0 and below 1, got {test_fraction}")
    digits = load_digits()
    order = make_rng(seed).permutation(len(digits.target))
    x = digits.data[order] / 16.0
    labels = digits.target[order]
    n_test = round(test_fraction * len(labels))
    if not 0 < n_test < len(labels):
        side = "held-out" if n_test == 0 else "training"
        raise ValueError(f"test_fraction must leave at least one {side} image of the {len(labels)}: use a value "
                         f"between 1/{len(labels)} and {len(labels) - 1}/{len(labels)}, got {test_fraction}")
    return DigitsData(x[n_test:], labels[n_test:]), DigitsData(x[:n_test], labels[:n_test])


def evaluate(net, data):
    """Cross-entropy per example and the fraction of images whose most likely class is right."""
    check_net_data(net, data, (DigitsData,))
    return data.evaluate(net)


def linear_cka(a, b):
    """Linear centred kernel alignment of two representations of the same examples (rows).

    1 when one is a rotation and uniform scaling of the other, near 0 when they are
    unrelated; it ignores how the units are numbered, so two networks can be compared.
    0 by convention when either is the same for every example (nothing to compare).
    Uniform scaling does not change it, so each array is divided by its largest absolute
    value, before and after centring: with entries at most 1, no square overflows, and
    those that underflow are too small to matter. With more units than examples it works
    with the (examples x examples) products a a^T and b b^T instead, which give the same
    numbers: the products never hold more numbers than the arrays themselves.
    """
    a = _unit_scale(_check_representation("a", a, (None, None)).astype(np.float64))
    b = _unit_scale(_check_representation("b", b, (len(a), None)).astype(np.float64))
    a = _unit_scale(a - a.mean(axis=0))
    b = _unit_scale(b - b.mean(axis=0))
    if len(a) < max(a.shape[1], b.shape[1]):  # wide: ||a^T b||^2 = sum(a a^T * b b^T), ||a^T a|| = ||a a^T||
        gram_a, gram_b = a @ a.T, b @ b.T
        cross = float(np.sum(gram_a * gram_b))
        scale = np.linalg.norm(gram_a) * np.linalg.norm(gram_b)
    else:
        cross = np.linalg.norm(a.T @ b) ** 2
        scale = np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b)
    return float(cross / scale) if scale > 0 else 0.0


def _check_representation(name, value, shape):
    """A representation for linear_cka: at most MAX_ACTIVATIONS numbers, as one pass of a network holds
    (a bigger one takes minutes to compare)."""
    value = check_array(name, value, shape)
    if value.size > MAX_ACTIVATIONS:
        raise ValueError(f"{name} must hold at most {big(MAX_ACTIVATIONS)} numbers (as many as one pass of a "
                         f"network may hold; more would take minutes to compare), got shape {value.shape}")
    return value


def _unit_scale(x):
    """``x`` divided by its largest absolute value (``x`` itself when it is all zeros)."""
    top = np.max(np.abs(x))
    return x / top if top > 0 else x
