"""Exercises of notebook 06: how long backprop takes on one device per layer, and DNI's pace."""
import functools
import numbers

import numpy as np

from ..devices import Costs, simulate
from . import Exercise, Incorrect, call


def _as_number(result, name):
    if isinstance(result, (bool, np.bool_)) or not isinstance(result, (numbers.Real, np.floating, np.integer)):
        raise Incorrect(f"{name} must return one number, got {type(result).__name__}")
    return float(result)


def _simulated(schedule, forward, backward, generator, n_batches):
    costs = [Costs(f, b, g) for f, b, g in zip(forward, backward, generator)]
    return simulate(schedule, [10] * n_batches, costs, target_delay=1)


# Exercise 1: backprop on one device per layer ----------------------------------------------

def _test_backprop_time(backprop_time):
    cases = [([1, 3, 0.5], [2, 6, 1.5], 1), ([1, 1, 1], [2, 2, 2], 8), ([1, 3, 0.5], [2, 5, 1], 4), ([2], [4], 3)]
    for forward, backward, n in cases:
        expected = _simulated("backprop", forward, backward, [1] * len(forward), n).finish
        got = _as_number(call(backprop_time, forward, backward, n), "backprop_time")
        if np.isclose(got, expected):
            continue
        if np.isclose(got, expected / n):
            raise Incorrect(f"with {n} batches your time is that of one batch: every batch takes the same time again")
        if np.isclose(got, n * sum(forward)) or np.isclose(got, n * sum(backward)):
            raise Incorrect("a batch needs both passes: forward through every layer, then backward through every layer")
        if np.isclose(got, max(forward) + max(backward)) or np.isclose(got, n * (max(forward) + max(backward))):
            raise Incorrect("in backprop the layers cannot overlap: each waits for the one below (forward) "
                            "and the one above (backward), so the times add up over layers")
        raise Incorrect(f"for forward costs {forward}, backward costs {backward} and {n} batches your time "
                        "is not what the timeline gives")


backprop_time = Exercise(
    "backprop_time", _test_backprop_time,
    hint="Look at the backprop panel of the Gantt chart: at any moment only one device works. "
         "How long is one batch, from the first forward to the last backward?",
    solution='''
def backprop_time(forward, backward, n_batches):
    """Time for n_batches of backprop with one device per layer
    (costs per layer, per batch)."""
    return n_batches * (sum(forward) + sum(backward))
''')


# Exercise 2: DNI's pace --------------------------------------------------------------------

@functools.lru_cache  # the same few cases at every check (tuples of costs)
def _long_run_pace(forward, backward, generator):
    early = _simulated("dni", forward, backward, generator, 100).batch_end
    late = _simulated("dni", forward, backward, generator, 200).batch_end
    return (late[-1] - early[-1]) / 100


def _test_dni_pace(dni_pace):
    cases = [([1, 1, 1], [2, 2, 2], [0.25, 0.25, 0.25]), ([1, 1, 1, 1], [2, 2, 2, 2], [0.5, 0.5, 0.5, 0.5]),
             ([1, 3, 1], [2, 6, 2], [0.25, 0.75, 0.25]), ([1, 1, 2], [2, 2, 4], [0.25, 0.25, 5.0]),
             ([2, 1, 1], [1, 2, 2], [1, 0.25, 0.25])]
    for forward, backward, generator in cases:
        expected = _long_run_pace(tuple(forward), tuple(backward), tuple(generator))
        got = _as_number(call(dni_pace, forward, backward, generator), "dni_pace")
        if np.isclose(got, expected):
            continue
        if np.isclose(got, sum(forward) + sum(backward) + sum(generator[:-1])):
            raise Incorrect("with DNI the layers work at the same time on different batches: "
                            "the times do not add up over layers")
        if np.isclose(got, max(f + b + g for f, b, g in zip(forward, backward, generator))):
            raise Incorrect(f"for costs {forward}, {backward}, {generator} you counted a generator on the "
                            "output layer: it has the true gradient and no generator")
        if np.isclose(got, np.mean([f + b for f, b in zip(forward, backward)]) + np.mean(generator[:-1])):
            raise Incorrect("an average layer does not set the pace: the others wait for the slowest")
        raise Incorrect(f"for forward {forward}, backward {backward}, generator {generator} your time per "
                        "batch is not what a long timeline gives")


dni_pace = Exercise(
    "dni_pace", _test_dni_pace,
    hint="In a long run every device handles every batch once. Which device is the bottleneck, "
         "and how much work does it have per batch? Remember which layer has no generator.",
    solution='''
def dni_pace(forward, backward, generator):
    """Time per batch of DNI in the long run, one device per layer
    (the last layer has no generator)."""
    work = [f + b + g for f, b, g in zip(forward[:-1], backward[:-1], generator[:-1])]
    return max(work + [forward[-1] + backward[-1]])
''')
