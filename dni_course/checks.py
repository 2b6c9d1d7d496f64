"""Generic argument checks: numbers, choices, arrays, random generators.

A student who passes a bad value should read what was wrong and what is allowed,
not a numpy traceback from deep inside the training loop. Every message names the
argument, shows the value (or its type) and says what is allowed.

Only checks that know nothing of the course live here, and this module imports nothing
from the package. A check that belongs to one function lives beside it, in its own module
(the layers' in ``layers``, the plots' in ``plots``, the explorers' in ``widgets``...).

The checks called inside the training loop (``check_batch``, ``check_rate``) first try a
fast test of the usual case, so that checking costs a fraction of a microsecond there.
"""
import math
import numbers

import numpy as np

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def big(n):
    """A whole number as a Python literal a student can read and paste: 1_000_000 (below 100_000 as it is)."""
    return f"{n:_}" if abs(n) >= 100_000 else str(n)


def _show(value):
    """A short description of a value for a message: its repr when short, else its type."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def check_int(name, value, low=None, high=None, why=""):
    """Return ``value`` as an int if it is a whole number in [low, high] (not a bool, not 2.0).

    ``why`` (a sentence) is added to the message when ``value`` is above ``high``, to say why
    that is the largest allowed value."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {_show(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        top = None if high is None else big(high)
        if high is None:
            allowed = f"at least {low}"
        elif low is None:
            allowed = f"at most {top}"
        else:
            allowed = f"between {low} and {top}"
        reason = f". {why}" if why and high is not None and value > high else ""
        raise ValueError(f"{name} must be {allowed}, got {value}{reason}")
    return value


def check_real(name, value):
    """Return ``value`` as a float if it is a finite number (either sign; not a bool)."""
    if type(value) is float and math.isfinite(value):  # the usual case, fast
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_show(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


# The learning rate passed to update()/learn() in the training loop: any finite number
# (negative is gradient ascent, which notebook 04 replays on purpose).
check_rate = check_real


def check_positive(name, value):
    """Return ``value`` as a float if it is a finite number above zero."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_show(value)}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number above 0, got {value}")
    return value


def check_fraction(name, value):
    """Return ``value`` as a float if it lies in [0, 1]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between 0 and 1, got {_show(value)}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return value


def check_bool(name, value):
    """Return ``value`` if it is True or False (not 1, not "no", which would count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_show(value)}")
    return bool(value)


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices`` (compared by type and value, so 1 is not True)."""
    for choice in choices:
        if isinstance(value, type(choice)) and _same(value, choice):
            return value
    allowed = ", ".join(repr(c) for c in choices)
    raise ValueError(f"{name} must be one of {allowed}, got {_show(value)}")


def _same(value, choice):
    try:
        return bool(value == choice)
    except (TypeError, ValueError):
        return False


def check_dtype(name, value):
    """Return ``value`` as a numpy dtype if it names float32 or float64."""
    if not isinstance(value, (str, type, np.dtype)):
        raise TypeError(f"{name} must be 'float32' or 'float64', got {_show(value)}")
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or not any(dtype == d for d in DTYPES):
        raise ValueError(f"{name} must be 'float32' or 'float64', got {_show(value)}")
    return dtype


def check_callable(name, value):
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {_show(value)}")
    return value


def check_instance(name, value, cls, hint=""):
    """Return ``value`` if it is a ``cls`` (``hint`` says where to get one)."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be a {cls.__name__}{hint}, got {_show(value)}")
    return value


def _shape_text(shape):
    sizes = ["any" if s is None else str(s) for s in shape]
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"


def ndim(name, value):
    """``np.ndim(value)``; a ragged list gets a message naming ``name`` (numpy's names no argument)."""
    try:
        return np.ndim(value)
    except ValueError:
        raise ValueError(f"{name} must be a list of numbers (or of rows of equal length), got {_show(value)}, "
                         f"whose items have different lengths") from None


def check_array(name, value, shape, finite=True, low=None, high=None):
    """Return ``value`` as an array of real numbers with the given shape.

    ``shape`` is a tuple of sizes, None meaning any size of at least 1; ``shape=None``
    allows any shape. Bools, strings, complex numbers and (when ``finite``) NaN or
    infinity are refused, as are values outside [low, high] when those are given.
    Lists (and arrays of dtype object) must hold only numbers, as a single value must: ``["1"]``
    is refused as ``"1"`` is. They become float arrays; other arrays are returned as they are
    (no copy).
    """
    if isinstance(value, np.ndarray) and value.dtype.kind != "O":
        array = value
    else:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError(f"{name} must be an array of numbers, got {_show(value)}")
        _check_items(name, value)
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise TypeError(f"{name} must be an array of numbers, got {_show(value)}") from None
    if array.dtype.kind not in "fiu":
        kind = {"b": "True/False", "U": "strings", "S": "strings"}.get(array.dtype.kind, f"dtype {array.dtype}")
        raise TypeError(f"{name} must hold real numbers, got an array of {kind} (dtype {array.dtype})")
    if shape is not None:
        wrong = array.ndim != len(shape) or any(
            s is not None and s != a for s, a in zip(shape, array.shape))
        if wrong:
            what = f"a single number, {array.item()!r}" if array.ndim == 0 else f"shape {array.shape}"
            raise ValueError(f"{name} must be an array of shape {_shape_text(shape)}, got {what}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = array[~np.isfinite(array)].flat[0]
        raise ValueError(f"{name} must hold finite numbers, got {bad} in it")
    if (low is not None or high is not None) and array.size:
        small, large = array.min(), array.max()
        if (low is not None and small < low) or (high is not None and large > high):
            raise ValueError(f"{name} must hold values between {low} and {high}, got {small if low is not None and small < low else large}")
    return array


def _check_items(name, value):
    """Every item of a list (nested lists too) or of an object array must be a real number:
    numpy would read "1" as 1.0, True as 1.0 and None as NaN without a word."""
    try:
        items = np.asarray(value, dtype=object)
    except (TypeError, ValueError):
        return  # not array-like at all: the conversion to float says so
    for item in items.flat:
        if isinstance(item, np.ndarray) and item.ndim == 0:
            item = item.item()  # a 0-d array inside a list: its number
        if isinstance(item, numbers.Real) and not isinstance(item, (bool, np.bool_)):
            continue
        if items.ndim == 0 and not isinstance(item, (bool, np.bool_)):  # not a list: a dict, a set...
            raise TypeError(f"{name} must be an array of numbers, got {_show(value)}")
        if isinstance(item, (str, bytes, np.str_, np.bytes_)):
            what = f"not strings (write 1, not '1'), got {_show(value)}"
        elif isinstance(item, (bool, np.bool_)):
            what = f"not True/False, got {_show(value)}"
        elif isinstance(item, (list, tuple, np.ndarray)):
            raise ValueError(f"{name} must be an array of numbers with rows of equal length, got {_show(value)}")
        else:
            what = f"got {_show(value)}, which holds {_show(item)}"
        raise TypeError(f"{name} must hold numbers, {what}")


def check_batch(name, value, width, rows=None):
    """The training loop's check: a 2-D float array with ``width`` columns (and ``rows`` rows).

    Only type and shape are checked (a fast path costing well under a microsecond): values
    are checked where they enter (``train``, ``predict``), and ``train`` checks for
    non-finite weights after every epoch.
    """
    if (type(value) is np.ndarray and value.ndim == 2 and value.shape[1] == width
            and value.dtype.kind == "f" and (rows is None or value.shape[0] == rows) and value.shape[0]):
        return value
    array = check_array(name, value, (rows, width), finite=False)
    return array.astype(float, copy=False)


def check_same_shape(name, value, other_name, other):
    """Both arrays checked, and ``value`` must have the shape of ``other`` (no broadcasting)."""
    if np.shape(value) != np.shape(other):
        what = f"a single number, {np.asarray(value).item()!r}" if np.ndim(value) == 0 else f"shape {np.shape(value)}"
        raise ValueError(f"{name} must have the same shape as {other_name}, {np.shape(other)}, got {what}")
    return value


def check_rows(name, value, other_name, other):
    """``value`` and ``other`` (arrays already checked) must have one row per example each."""
    if len(value) != len(other):
        raise ValueError(f"{other_name} and {name} must have the same number of rows (one per example), "
                         f"got shapes {other.shape} and {value.shape}")
    return value


def check_nonscalar(name, value):
    """An array (already checked) that is not a single number and not empty."""
    if value.ndim == 0 or value.size == 0:
        what = f"a single number, {value.item()!r}" if value.ndim == 0 else f"an empty array of shape {value.shape}"
        raise ValueError(f"{name} must be an array with at least one entry, got {what}")
    return value


def check_weights(name, value, shape=(None, None)):
    """Parameters updated in place: a float32/float64 numpy array of the given shape, finite."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of float32 or float64 (it is updated in place), "
                        f"got {_show(value)}")
    if value.dtype not in DTYPES:
        raise TypeError(f"{name} must be a float32 or float64 array (it is updated in place), "
                        f"got dtype {value.dtype}")
    return check_array(name, value, shape)


def check_rng(name, value):
    """Return ``value`` if it is a numpy random generator (``default_rng`` or ``RandomState``)."""
    if not isinstance(value, (np.random.Generator, np.random.RandomState)):
        raise TypeError(f"{name} must be a numpy random generator such as np.random.default_rng(0) "
                        f"or np.random.RandomState(1), got {_show(value)}")
    return value


def make_rng(seed, name="seed"):
    """Turn ``seed`` into a random generator.

    An int gives ``np.random.default_rng(seed)``; a ``Generator`` or a legacy
    ``RandomState`` (used to replay the post's own draws) is used as it is.
    """
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a whole number or a numpy random generator, got {_show(seed)}")
    seed = check_int(name, seed, low=0)
    return np.random.default_rng(seed)


def normal(rng, size):
    """Standard normal draws from either kind of generator."""
    if isinstance(rng, np.random.RandomState):
        return rng.randn(*size)
    return rng.standard_normal(size)


def uniform(rng, size):
    """Uniform draws in [0, 1) from either kind of generator."""
    if isinstance(rng, np.random.RandomState):
        return rng.rand(size)
    return rng.random(size)


def check_text(name, value):
    """A string (a title, a label)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {_show(value)}")
    return value


def check_output_target(output, target):
    """A network's outputs and the targets, as (examples, outputs) arrays of one shape: a wrong
    shape must not broadcast. Targets lie in [0, 1] (bits, or one-hot classes)."""
    output = check_array("output", output, (None, None))
    target = check_array("target", target, (None, None), low=0, high=1)
    return check_same_shape("output", output, "target", target), target


def check_list(name, value, check_item):
    """A non-empty list (or tuple, or 1-D array) whose items each pass ``check_item(item_name, item)``."""
    if not isinstance(value, (list, tuple, np.ndarray)) or (isinstance(value, np.ndarray) and value.ndim != 1) \
            or len(value) == 0:
        raise TypeError(f"{name} must be a non-empty list, got {_show(value)}")
    return [check_item(f"each of {name}", item) for item in value]
