"""The binary-addition task (notebook 01).

Two whole numbers below ``2**(bits - 1)`` are written as ``bits`` binary digits each,
most significant first, and put side by side: that is the input (``2 * bits`` values).
The target is their sum, written with ``bits`` digits; it always fits because both
numbers are below half the range.
"""
from dataclasses import dataclass, field

import numpy as np

from .checks import big, check_array, check_instance, check_int, make_rng, uniform
from .task import Task

MAX_BITS = 24
# Digits in one dataset, n_examples x bits. The data hold three float64 numbers per digit (x has
# 2 * bits columns, y has bits), so 2**22 digits take 96 MB, and building them needs about twice
# that for a moment. That is 524_288 sums of 8 bits (32 times the 16_384 different ones), and the
# whole table of sums of every width up to 10 bits. More could fill a laptop's or Binder's memory.
MAX_DIGITS = 2 ** 22


def _check_count(name, n_examples, bits):
    """How many examples of ``bits``-bit sums fit the memory budget MAX_DIGITS."""
    return check_int(name, n_examples, low=1, high=MAX_DIGITS // bits, why=_why(bits))


def _why(bits):
    return (f"Sums of {bits} bits take 3 x {bits} numbers each, and a dataset may hold at most "
            f"{big(3 * MAX_DIGITS)} numbers ({3 * MAX_DIGITS * 8 >> 20} MB at float64)")


@dataclass(frozen=True)
class AdditionData(Task):
    """Examples of the task: ``x`` (n, 2*bits) inputs, ``y`` (n, bits) targets, and the numbers."""

    left: np.ndarray
    right: np.ndarray
    bits: int
    x: np.ndarray = field(init=False, repr=False)
    y: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        bits = check_int("bits", self.bits, low=2, high=MAX_BITS)
        left = _check_whole("left", self.left, 2 ** (bits - 1) - 1)
        right = _check_whole("right", self.right, 2 ** (bits - 1) - 1)
        if left.ndim != 1 or right.shape != left.shape:
            raise ValueError(f"left and right must be lists of the same length, got shapes {left.shape} and {right.shape}")
        if len(left) > MAX_DIGITS // bits:
            raise ValueError(f"left and right must hold at most {big(MAX_DIGITS // bits)} numbers each for {bits}-bit "
                             f"sums, got {len(left)}. {_why(bits)}")
        for key, value in (("bits", bits), ("left", left), ("right", right)):
            object.__setattr__(self, key, value)
        x = np.hstack([to_bits(self.left, self.bits), to_bits(self.right, self.bits)])
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", to_bits(self.left + self.right, self.bits))

    def __len__(self):
        return len(self.left)

    def pairs(self):
        """Each example as one integer, so that two sets can be compared."""
        return self.left * 2 ** (self.bits - 1) + self.right

    # What the task says about itself (dni_course.task.Task): train and the explorers read it.
    metric = "bit_accuracy"
    where = "dni_course.addition_data"

    @property
    def name(self):
        return f"{self.bits}-bit addition"

    @property
    def examples(self):
        return f"{self.bits}-bit sums"

    def check_test(self, test):
        test = super().check_test(test)
        if test.bits != self.bits:
            raise ValueError(f"test must hold sums of as many bits as data ({self.bits}), got {test.bits}-bit sums")
        return test

    def scores(self, output):
        return bit_scores(output, self.y)

    def headline(self, output):
        """Bit accuracy of outputs with leading axes, e.g. (networks, examples, bits) -> (networks,)."""
        return ((output > 0.5) == (self.y > 0.5)).mean(axis=(-2, -1))


def bit_scores(output, target):
    """Loss (mean squared error per bit), bit accuracy and whole-sum accuracy, unchecked
    (``metrics.scores`` checks its arguments first)."""
    correct = (output > 0.5) == (target > 0.5)
    return {
        "loss": float(np.mean((output - target) ** 2)),
        "bit_accuracy": float(correct.mean()),
        "sum_accuracy": float(correct.all(axis=1).mean()),
    }


def _check_whole(name, numbers, high):
    """A 1-D int64 array of whole numbers from 0 to ``high`` (2.0 is fine, 1.5 or True is not)."""
    if isinstance(numbers, (bool, np.bool_, int, float, np.number)):
        raise TypeError(f"{name} must be a list or 1-D array of whole numbers (for one number write [n]), "
                        f"got {numbers!r} ({type(numbers).__name__})")
    array = check_array(name, numbers, (None,))
    if array.dtype.kind == "f" and not (array == np.round(array)).all():
        bad = array[array != np.round(array)][0]
        raise ValueError(f"{name} must hold whole numbers, got {bad}")
    if array.min() < 0 or array.max() > high:
        bad = array.min() if array.min() < 0 else array.max()
        raise ValueError(f"{name} must hold whole numbers from 0 to {high}, got {bad}")
    return array.astype(np.int64)


def to_bits(numbers, bits):
    """Write each whole number as ``bits`` binary digits, most significant first: shape (n, bits)."""
    bits = check_int("bits", bits, low=1, high=MAX_BITS + 1)
    numbers = _check_whole("numbers", numbers, 2 ** bits - 1)
    if numbers.size > MAX_DIGITS // bits:
        raise ValueError(f"numbers must hold at most {big(MAX_DIGITS // bits)} numbers for bits={bits}, got "
                         f"{numbers.size}: each becomes {bits} digits, and at most {big(MAX_DIGITS)} digits "
                         f"({MAX_DIGITS * 8 >> 20} MB at float64) are made at once")
    powers = 2 ** np.arange(bits - 1, -1, -1, dtype=np.int64)
    return ((numbers[..., None] // powers) % 2).astype(float)


def from_bits(digits):
    """Read rows of binary digits (most significant first) back as whole numbers.

    Values are rounded at 0.5 first, so a network's sigmoid outputs can be passed directly.
    """
    digits = check_array("digits", digits, (None, None), low=0, high=1)
    check_int("the number of digits in a row", digits.shape[1], high=62)  # more would overflow int64
    powers = 2 ** np.arange(digits.shape[1] - 1, -1, -1, dtype=np.int64)
    return (digits > 0.5).astype(np.int64) @ powers


def _check_sizes(bits, n_examples):
    bits = check_int("bits", bits, low=2, high=MAX_BITS)
    return bits, _check_count("n_examples", n_examples, bits)


def addition_data(bits=8, n_examples=100, seed=0):
    """Draw ``n_examples`` random sums (pairs may repeat, as in the post)."""
    bits, n_examples = _check_sizes(bits, n_examples)
    rng = make_rng(seed)
    high = 2 ** (bits - 1)
    # Draw left then right, as the post does: with a legacy RandomState(1) this
    # replays the post's own dataset.
    left = (uniform(rng, n_examples) * high).astype(np.int64)
    right = (uniform(rng, n_examples) * high).astype(np.int64)
    return AdditionData(left, right, bits)


def held_out_data(train, n_examples=1000, seed=1):
    """Draw distinct sums that do not occur in ``train``: a fair test of generalisation."""
    check_instance("train", train, AdditionData, " (see dni_course.addition_data)")
    n_examples = _check_count("n_examples", n_examples, train.bits)
    high = 2 ** (train.bits - 1)
    seen = np.unique(train.pairs())
    available = high * high - len(seen)
    if n_examples > available:
        raise ValueError(
            f"n_examples must be at most {available}: only that many {train.bits}-bit pairs "
            f"are not in the training set, got {n_examples}")
    rng = make_rng(seed)
    chosen = np.empty(0, dtype=np.int64)
    while len(chosen) < n_examples:
        if available <= 4 * n_examples:  # small spaces: list every unseen pair once
            unseen = np.setdiff1d(np.arange(high * high), seen)
            chosen = unseen[rng.permutation(len(unseen))[:n_examples]]
            break
        draws = (uniform(rng, 2 * n_examples) * high * high).astype(np.int64)
        fresh = np.setdiff1d(draws, np.concatenate([seen, chosen]))
        chosen = np.concatenate([chosen, rng.permutation(fresh)[: n_examples - len(chosen)]])
    return AdditionData(chosen // high, chosen % high, train.bits)


def describe(data, count=5):
    """A readable table of the first ``count`` examples: decimal and binary side by side."""
    check_instance("data", data, AdditionData, " (see dni_course.addition_data)")
    count = check_int("count", count, low=1)
    width = len(str(2 ** data.bits))
    lines = [f"{'a':>{width}} + {'b':>{width}} = {'a+b':>{width}}   input bits (a | b)  ->  target bits"]
    for left, right in zip(data.left[:count], data.right[:count]):
        lb, rb, sb = (np.binary_repr(v, data.bits) for v in (left, right, left + right))
        lines.append(f"{left:>{width}} + {right:>{width}} = {left + right:>{width}}   {lb} | {rb}  ->  {sb}")
    return "\n".join(lines)
