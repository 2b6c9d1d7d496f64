"""Argument checks shared by the public functions.

A student who passes a bad value should read what was wrong and what is allowed,
not a numpy traceback from deep inside the training loop.
"""
import math
import numbers

import numpy as np


def check_int(name, value, low=None, high=None):
    """Return ``value`` as an int if it is a whole number in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__})")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            allowed = f"at least {low}"
        elif low is None:
            allowed = f"at most {high}"
        else:
            allowed = f"between {low} and {high}"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return value


def check_positive(name, value):
    """Return ``value`` as a float if it is a finite number above zero."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number above 0, got {value}")
    return value


def check_fraction(name, value):
    """Return ``value`` as a float if it lies in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return value


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_array(name, value, shape):
    """Return ``value`` as a float array of the given shape; None in ``shape`` means any size."""
    try:
        array = np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from None
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    wanted = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
    if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
        raise ValueError(f"{name} must have shape {wanted}, got {array.shape}")
    return array


def make_rng(seed):
    """Turn ``seed`` into a random generator.

    An int gives ``np.random.default_rng(seed)``; a ``Generator`` or a legacy
    ``RandomState`` (used to replay the post's own draws) is used as it is.
    """
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    seed = check_int("seed", seed, low=0)
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
