"""Exercises of notebook 06: DNI's pace on one device per layer, and the queue that hands a
generator its targets late (what ``dc.train(..., target_delay=k)`` does)."""
import functools
import numbers

import numpy as np

from ..devices import Costs, simulate
from ..layers import SyntheticGradient
from ..training import DelayedTargets
from . import Exercise, Incorrect, as_array, as_number, call, finite


def _as_number(result, name):
    if isinstance(result, str):
        as_number(result, f"what {name} returns")  # says: not strings
    if isinstance(result, (bool, np.bool_)) or not isinstance(result, (numbers.Real, np.floating, np.integer)):
        raise Incorrect(f"{name} must return one number, got {type(result).__name__}")
    return float(result)


def _simulated(schedule, forward, backward, generator, n_batches):
    costs = [Costs(f, b, g) for f, b, g in zip(forward, backward, generator)]
    return simulate(schedule, [10] * n_batches, costs, target_delay=1)


# Exercise 1: DNI's pace --------------------------------------------------------------------

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


# Exercise 2: the delayed-target queue ----------------------------------------------------------

WIDTH, N_LABELS, BATCH = 5, 3, 4  # a small cDNI generator: a layer of 5 units, 3 labels, batches of 4
# (batches, delay): 3 batches late, on time, 1 late, and later than the stream is long (it never learns)
QUEUE_CASES = ((12, 3), (12, 0), (10, 1), (6, 8))


def _stream(n_batches, seed):
    """hs, labels, targets: one batch each per row, as the layer, the data and the layer above give them."""
    rng = np.random.default_rng(seed)
    hs = rng.random((n_batches, BATCH, WIDTH))
    labels = (rng.random((n_batches, BATCH, N_LABELS)) > 0.5).astype(float)
    return hs, labels, rng.normal(0, 0.5, (n_batches, BATCH, WIDTH))


def _generator(seed):
    """A cDNI generator with small random weights (zeros would hide a wrong step)."""
    rng = np.random.default_rng(seed)
    gen = SyntheticGradient(WIDTH, N_LABELS, np.float64)
    gen.weights[...] = rng.normal(0, 0.3, gen.weights.shape)
    gen.bias[...] = rng.normal(0, 0.3, gen.bias.shape)
    return gen


def _with_queue(gen, hs, labels, targets, delay, alpha):
    """What dc.train(..., target_delay=delay) does for one generator: guess, then the queue learns."""
    queue, guesses = DelayedTargets(gen, delay), []
    for h, y, target in zip(hs, labels, targets):
        guesses.append(gen.predict(h, y).copy())
        queue.learn(h, y, target, alpha)
    return guesses


def _mistake(gen, hs, labels, targets, delay, alpha, guess_again=True, guess_first=True, drain=False):
    """A generator that learns from the target of batch t - delay, with one of the usual mistakes."""
    guesses = []
    for t in range(len(hs)):
        if guess_first:
            guesses.append(gen.predict(hs[t], labels[t]).copy())
        if 0 <= t - delay:
            if guess_again:
                gen.predict(hs[t - delay], labels[t - delay])
            gen.learn(targets[t - delay], alpha)
        if not guess_first:
            guesses.append(gen.predict(hs[t], labels[t]).copy())
    for t in range(max(len(hs) - delay, 0), len(hs)) if drain else ():
        gen.predict(hs[t], labels[t])
        gen.learn(targets[t], alpha)
    return guesses


def _same_run(guesses, gen, other_guesses, other_gen):
    return (all(np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(guesses, other_guesses))
            and all(np.allclose(p, q, rtol=1e-9, atol=1e-12) for p, q in zip(gen.parameters(), other_gen.parameters())))


def _test_late_targets(late_targets, alpha=0.2):
    for case, (n_batches, delay) in enumerate(QUEUE_CASES):
        hs, labels, targets = _stream(n_batches, seed=case)
        gen = _generator(seed=10 + case)
        start = [p.copy() for p in gen.parameters()]
        result = call(late_targets, gen, hs, labels, targets, delay, alpha, may_change=(gen,))
        if isinstance(result, (str, bytes, dict)) or not hasattr(result, "__len__"):
            raise Incorrect(f"late_targets must return a list of guesses, one per batch, got {type(result).__name__}")
        if len(result) != n_batches:
            raise Incorrect(f"for a stream of {n_batches} batches you returned {len(result)} guesses: "
                            "return one guess per batch")
        guesses = as_array(result, "each guess")
        if guesses.shape != (n_batches, BATCH, WIDTH):
            raise Incorrect(f"each guess must have the shape of a batch of h, {(BATCH, WIDTH)}; yours have "
                            f"shape {guesses.shape[1:]}")
        finite(guesses, "your guesses")
        right_gen = _generator(seed=10 + case)
        right = _with_queue(right_gen, hs, labels, targets, delay, alpha)
        if _same_run(guesses, gen, right, right_gen):
            continue
        learned = not all(np.array_equal(p, s) for p, s in zip(gen.parameters(), start))
        where = f"(a stream of {n_batches} batches, delay {delay})"

        def like(**mistake):
            other = _generator(seed=10 + case)
            return _same_run(guesses, gen, _mistake(other, hs, labels, targets, alpha=alpha, **mistake), other)

        if not learned and delay < n_batches:
            raise Incorrect(f"gen did not learn {where}: from batch delay on, it learns in place (gen.learn) "
                            "from one late target per batch")
        if delay > 0 and like(delay=0):
            raise Incorrect(f"gen learned from each target on time {where}: it must wait delay batches")
        for off in (-1, 1):
            if delay + off >= 0 and like(delay=delay + off):
                raise Incorrect(f"on batch t, gen learned from the target of batch t - {delay + off} {where}, "
                                "not t - delay: count the queue again")
        if like(delay=delay, guess_again=False):
            raise Incorrect(f"gen learned an old target from its guess on the current batch {where}: the target "
                            "of batch t - delay belongs to that batch's h and labels, so gen must guess on them "
                            "again just before it learns")
        if like(delay=delay, guess_first=False):
            raise Incorrect(f"gen guessed on each batch after learning {where}: it guesses first (the layer "
                            "updates with that guess), then learns from the late target")
        if like(delay=delay, drain=True):
            raise Incorrect(f"gen also learned from the targets still waiting after the last batch {where}: "
                            "their turn has not come yet")
        differ = [t for t in range(n_batches) if not np.allclose(guesses[t], right[t], rtol=1e-9, atol=1e-12)]
        if not differ:
            raise Incorrect(f"your guesses are right but gen's weights at the end are not {where}: on each batch, "
                            "gen learns from exactly one late target, no more")
        raise Incorrect(f"from batch {differ[0]} on, your guesses differ from those of a generator that learns from each "
                        f"target delay batches late {where}")


late_targets = Exercise(
    "late_targets", _test_late_targets,
    hint="A list works as the queue: append each batch's (h, labels, target) at the end, and once more than "
         "delay of them wait, take the oldest out with pop(0): it is delay batches old. gen.learn steps from "
         "the input of gen's last predict: which input must gen see just before it learns?",
    solution='''
def late_targets(gen, hs, labels, targets, delay, alpha):
    """Run generator gen over a stream of batches; it learns from each target delay
    batches late. Return its guesses, one per batch (each made before it learns on that
    batch)."""
    waiting, guesses = [], []
    for h, y, target in zip(hs, labels, targets):
        guesses.append(gen.predict(h, y))  # the layer updates with this guess
        waiting.append((h, y, target))  # this batch's target joins the queue
        if len(waiting) > delay:  # the oldest is now delay batches old
            old_h, old_y, old_target = waiting.pop(0)
            gen.predict(old_h, old_y)  # guess again on its input, with today's weights
            gen.learn(old_target, alpha)
    return guesses
''')
