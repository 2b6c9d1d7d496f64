"""What we measure: a real loss and bit accuracy (notebook 02), gradient alignment (notebook 04),
and the matrix through which the true gradient reads the labels (notebook 05)."""
import numpy as np

from .checks import (check_array, check_bool, check_fraction, check_instance, check_int, check_nonscalar, check_output_target,
                     check_same_shape, check_text)
from .data import AdditionData, bit_scores
from .history import check_histories
from .layers import Network


def _check_net_data(net, data):
    """``evaluate`` and ``accuracy_per_bit`` score the addition task's bits: they need its data."""
    check_instance("net", net, Network, " (see dni_course.Network.create)")
    check_instance("data", data, AdditionData, " (see dni_course.addition_data)")
    if (net.sizes[0], net.sizes[-1]) != (2 * data.bits, data.bits):
        raise ValueError(
            f"net and data must fit each other: data holds {data.bits}-bit sums, which need {2 * data.bits} "
            f"inputs and {data.bits} outputs, but net has {net.sizes[0]} inputs and {net.sizes[-1]} outputs")


def scores(output, target):
    """Loss (mean squared error per bit), bit accuracy and whole-sum accuracy (notebook 02).

    A bit counts as right when the output is on the same side of 0.5 as the target; a sum
    counts as right only when all of its bits are.
    """
    output, target = check_output_target(output, target)
    return bit_scores(output, target)


def evaluate(net, data):
    """:func:`scores` of ``net`` on ``data``."""
    _check_net_data(net, data)
    with np.errstate(over="ignore"):
        return data.evaluate(net)  # not scores(): a diverged net's NaN is train's to report


def accuracy_per_bit(net, data):
    """Fraction of examples with each output bit right, most significant bit first."""
    _check_net_data(net, data)
    with np.errstate(over="ignore"):
        out = net.predict(data.x)
    return ((out > 0.5) == (data.y > 0.5)).mean(axis=0)


def post_error(output, target):
    """The number the post prints: sum |(a - y) * a * (1 - a)|.

    It is a derivative-weighted error, not a loss: saturated sigmoids make it zero
    whatever the predictions are (notebook 04 shows this trap).
    """
    output, target = check_output_target(output, target)
    return _post_error(output, target)


def _post_error(output, target):
    """:func:`post_error` without the argument checks, for numbers our own code made: a NaN
    there is a diverging run, which the caller reports as such."""
    return float(np.abs((output - target) * output * (1.0 - output)).sum())


def cosine_similarity(a, b):
    """Cosine of the angle between two arrays of one shape, seen as flat vectors.

    By convention it is 0 when either array is all zeros: a zero vector has no direction.
    Each array is first divided by its largest absolute value. The cosine stays the same, no
    square in the norms overflows (as 1e200 ** 2 would), and those that underflow (as
    1e-200 ** 2 would) are too small next to the largest entry, now 1, to matter.
    """
    a = check_nonscalar("a", check_array("a", a, shape=None))
    b = check_same_shape("b", check_array("b", b, shape=None), "a", a)
    a, b = np.ravel(a).astype(float), np.ravel(b).astype(float)
    top_a, top_b = np.max(np.abs(a)), np.max(np.abs(b))
    if top_a == 0 or top_b == 0:
        return 0.0
    a, b = a / top_a, b / top_b
    cosine = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.clip(cosine, -1.0, 1.0))  # rounding can land a hair outside [-1, 1]


def label_matrix(output, w_out):
    """The matrix ``M`` (bits x n_hidden) through which the last hidden layer's true gradient reads
    the labels, when each output bit's sigmoid slope is averaged over the batch (notebook 05).

    With ``s`` that average slope, ``dLoss/dh = ((output - y) * s) @ w_out.T``, whose label part
    is ``y @ M`` with ``M = -s[:, None] * w_out.T``.
    """
    output = check_array("output", output, (None, None), low=0, high=1)
    w_out = check_array("w_out", w_out, (None, output.shape[1]))
    slope = (output * (1 - output)).mean(axis=0)  # one value per output bit
    return -slope[:, None] * w_out.T


def report(histories, target=0.99):
    """A small table of finished runs. Measured values carry a leading "≈": training is
    chaotic, so their last digits differ between machines (the notebook tests mask them)."""
    histories, target = check_histories("histories", histories), check_fraction("target", target)
    width = max(10, *(len(h.method) + 1 for h in histories))  # "output_only" is the longest name
    lines = [f"{'method':<{width}}{'epochs to ' + format(target, '.0%'):>16}{'train bits':>13}"
             f"{'held-out bits':>15}{'held-out sums':>15}"]
    for h in histories:
        reached = h.epochs_to(target)
        reached = f"≈{reached}" if reached else f"not in {h.epochs[-1]}"
        test = h.final("test") if h.test else {}
        lines.append(f"{h.method:<{width}}{reached:>16}{_measured(h.final()['bit_accuracy']):>13}"
                     f"{_measured(test.get('bit_accuracy')):>15}{_measured(test.get('sum_accuracy')):>15}")
    return "\n".join(lines)


def _measured(fraction):
    """A measured fraction as "≈97%", or "n/a" when the run did not measure it (no test data)."""
    return "n/a" if fraction is None else f"≈{fraction:.0%}"


def spread(values, digits=0, unit="", percent=False):
    """Median and range over runs (seeds, usually), as "≈median (≈low-high)" plus the unit.

    One run of a chaotic training is an illustration; the spread over seeds is the result.
    Every number carries a leading "≈", so the notebook tests mask it. With percent=True the
    values are fractions, shown in percent: spread([0.91, 0.97, 0.95], percent=True) is
    "≈95% (≈91-97%)".
    """
    values = check_array("values", values, shape=(None,))
    digits = check_int("digits", digits, low=0, high=6)
    unit = check_text("unit", unit)
    if check_bool("percent", percent):
        values, unit = 100 * values, "%" + unit
    low, middle, high = (format(v, f".{digits}f") for v in (values.min(), np.median(values), values.max()))
    return f"≈{middle}{unit} (≈{low}-{high}{unit})"
