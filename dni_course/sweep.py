"""Many networks trained at once, for a map of where each method works (notebook 08).

A loop of ``dc.train`` over 48 settings spends most of its time in Python and numpy's call
overhead: the matrices of the 8-bit task are tiny. Here every network that shares a batch
size trains together: the weights of S networks are stacked into one array of shape
(S, n_in, n_out), and each layer does one batched matrix product (``np.matmul`` on the
stack) for all S networks. Each network still follows exactly the arithmetic of
``dc.train`` (the tests check the final weights and the epochs to 99%); only the bookkeeping
is shared. Settings with other batch sizes have a different number of steps per epoch, so
they train in separate groups, one group per batch size.
"""
from dataclasses import dataclass, field

import numpy as np

from .checks import big, check_choice, check_fraction, check_int, check_list, check_positive, make_rng, ndim
from .layers import MAX_ACTIVATIONS, MAX_WEIGHTS, Network, check_sizes, sigmoid
from .task import check_task
from .training import GEN_ALPHA, MAX_MULTIPLY_ADDS, MAX_STEPS, batches

SWEEP_METHODS = ("backprop", "dni", "cdni")
# Bounds on one sweep, far above notebook 08's (21 networks per stack, 300 epochs, 4 batch
# sizes), so that only a typo is refused, up front. The accuracy records: one float64 per
# network per epoch, so 10**7 of them take 80 MB. The stacked networks' weights (their
# generators' too) count against checks.MAX_WEIGHTS, their pass over the data after each epoch
# against checks.MAX_ACTIVATIONS, their batch steps (25-170 microseconds per network, measured)
# against training.MAX_STEPS and their multiply-adds against training.MAX_MULTIPLY_ADDS.
MAX_RECORDS = 10 ** 7


def _flat(name, values):
    """``values`` (a number, a list, an array) as a flat array of its items, unchecked."""
    try:
        return np.ravel(np.asarray(values, dtype=object))
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a list of numbers, got {type(values).__name__}") from None


def _check_size(data, method, sizes, n_networks, what, batch_sizes, epochs):
    """``n_networks`` networks (``what`` says how they are counted) and ``epochs`` for one stack per
    batch size in ``batch_sizes``: refused up front if they cannot fit the memory or finish in hours."""
    n_networks = max(n_networks, 1)  # none at all is refused later, with its own message
    labels = data.n_outputs if method == "cdni" else 0
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    if method != "backprop":
        weights += sum((n + labels) * n + n for n in sizes[1:-1])  # the generators' weights and biases
    most, why = min(
        (MAX_WEIGHTS // weights, f"a stack holds all of them at once, {weights} weights each (generators "
                                 f"included), and at most {big(MAX_WEIGHTS)} weights in all"),
        (MAX_ACTIVATIONS // (len(data) * sum(sizes)), f"after each epoch they are all scored on the {len(data)} "
                                                      f"examples at once, {sum(sizes)} numbers per example each, "
                                                      f"and at most {big(MAX_ACTIVATIONS)} numbers fit"))
    if n_networks > most:
        name, per = what.split(" (")
        raise ValueError(f"{name} must make at most {big(most)} networks ({per} for sizes {tuple(sizes)}, got "
                         f"{n_networks}: {why}")
    steps = sum(-(-len(data) // b) for b in batch_sizes)  # batch steps of one network through one epoch, all stacks
    high, why = min(
        (MAX_RECORDS // (n_networks * len(batch_sizes)), f"Each network records its accuracy after every epoch, and "
                                                         f"at most {big(MAX_RECORDS)} records (80 MB) are kept"),
        (MAX_STEPS // (n_networks * steps), f"An epoch is {steps} batch steps per network ({n_networks} of them), "
                                            f"and a sweep may make at most {big(MAX_STEPS)} (hours)"),
        (MAX_MULTIPLY_ADDS // (4 * n_networks * len(batch_sizes) * len(data) * weights),
         f"An epoch costs about 4 multiply-adds per weight per example per network, and a sweep may cost at most "
         f"{big(MAX_MULTIPLY_ADDS)} (over an hour)"))
    return check_int("epochs", epochs, low=1, high=max(high, 1), why=why)


@dataclass
class Stack:
    """What one group of networks (one batch size) recorded."""

    alphas: np.ndarray  # (S,)
    seeds: list
    batch_size: int
    weights: list  # per layer, (S, n_in, n_out)
    bit_accuracy: np.ndarray  # (S, epochs) on the training data after each epoch (the task's headline metric)
    diverged_at: np.ndarray  # (S,) first epoch with a non-finite number, 0 if never

    def epochs_to(self, accuracy=0.99):
        """First epoch with bit accuracy at or above ``accuracy`` per network, NaN if never
        (or only after the network had diverged, where ``dc.train`` would have stopped)."""
        accuracy = check_fraction("accuracy", accuracy)
        reached = self.bit_accuracy >= accuracy
        first = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1.0, np.nan)
        broke = (self.diverged_at > 0) & ~(first < self.diverged_at)
        return np.where(broke, np.nan, first)


def _forward(weights, x):
    """Outputs of every layer, each (S, batch, n), as in ``Layer.forward``."""
    hs = []
    h = x
    for w in weights:
        z = np.matmul(h, w)
        h = sigmoid(z, out=z)  # in place: the product is not needed again
        hs.append(h)
    return hs


def _backprop_step(weights, gens, x, y, alpha, gen_alpha):
    """``backprop_step`` for every network of the stack at once."""
    hs = _forward(weights, x)
    grad = hs[-1] - y
    for i in range(len(weights) - 1, -1, -1):
        out = hs[i]
        delta = grad * out
        delta *= 1.0 - out
        if i > 0:
            grad = np.matmul(delta, weights[i].swapaxes(1, 2))  # through the weights before the update
        below = hs[i - 1] if i > 0 else x
        weights[i] -= np.matmul(below.swapaxes(-1, -2), delta) * alpha


def _synthetic_step(weights, gens, x, y, alpha, gen_alpha):
    """``synthetic_step`` for every network of the stack at once; ``gens`` holds per hidden
    layer [weights (S, n_in, n), bias (S, 1, n)] and its input size says whether it sees labels."""
    h = x
    last = len(weights) - 1
    inputs, guesses = [], []
    for i, w in enumerate(weights):
        below = h
        z = np.matmul(below, w)
        h = sigmoid(z, out=z)
        if i < last:
            g_w, g_b = gens[i]
            g_in = h if g_w.shape[1] == h.shape[-1] else np.concatenate([h, np.broadcast_to(y, h.shape[:1] + y.shape)], axis=-1)
            grad = np.matmul(g_in, g_w)
            grad += g_b
            inputs.append(g_in)
            guesses.append(grad)
        else:
            grad = h - y
        delta = grad * h
        delta *= 1.0 - h
        sent_down = np.matmul(delta, w.swapaxes(1, 2)) if i > 0 else None
        step = np.matmul(below.swapaxes(-1, -2), delta)
        step *= alpha
        w -= step
        if i > 0:  # the generator below learns from what this layer sent down
            g_w, g_b = gens[i - 1]
            error = guesses[i - 1] - sent_down
            scale = gen_alpha / error.shape[1]
            g_w -= scale * np.matmul(inputs[i - 1].swapaxes(1, 2), error)
            g_b -= scale * error.sum(axis=1, keepdims=True)


def _keep_freed_memory():
    """Let the C allocator keep the memory a step frees, for the next step to reuse.

    A step's stacked arrays are 100-300 KB. Linux's glibc malloc returns freed memory above a
    threshold (at first 128 KB) to the system at once, so each step would fault the pages in
    again: measured, the whole sweep ran a third slower. Freeing one block of a few megabytes
    raises the threshold for the rest of the process (a Jupyter kernel's start-up often has
    done so already). On other systems this only allocates and frees 4 MB.
    """
    np.empty(4 << 20, dtype=np.uint8)  # allocated and freed at once


def train_stack(data, method, alphas, batch_size, epochs, seeds=0, sizes=(16, 64, 32, 8),
                gen_alpha=GEN_ALPHA, dtype=np.float32):
    """Train one network per entry of ``alphas`` (each from its entry of ``seeds``, or all from
    one seed) at one ``batch_size``, all at once, and return a :class:`Stack`.

    Network ``k`` ends with the same weights, to float rounding, as
    ``dc.train(dc.Network.create(sizes, seeds[k], dtype=dtype), data, method, alphas[k], batch_size, epochs)``,
    except that a run that diverges is not stopped (it is marked in ``diverged_at``).
    """
    check_task("data", data, sigmoid_only=True)  # the stacked steps are those of sigmoid networks
    method = check_choice("method", method, SWEEP_METHODS)
    sizes = check_sizes("sizes", sizes)
    batch_size = check_int("batch_size", batch_size, low=1, high=len(data))
    alphas = _flat("alphas", alphas)
    epochs = _check_size(data, method, sizes, len(alphas), "alphas (one network per alpha)", [batch_size], epochs)
    alphas = [check_positive("each of alphas", a) for a in alphas]
    if not alphas:
        raise ValueError(f"alphas must hold at least one learning rate, got {alphas!r}")
    seeds = check_seeds(seeds, len(alphas))
    if len(seeds) != len(alphas):
        raise ValueError(f"seeds must be one seed or one per alpha: got {len(seeds)} seeds for {len(alphas)} alphas")
    gen_alpha = check_positive("gen_alpha", gen_alpha)
    _keep_freed_memory()
    nets = [Network.create(sizes, seed=s, dtype=dtype) for s in seeds]
    if (nets[0].sizes[0], nets[0].sizes[-1]) != (data.n_inputs, data.n_outputs):
        raise ValueError(f"sizes must fit {data.examples} ({data.n_inputs} inputs and {data.n_outputs} outputs), "
                         f"got {tuple(sizes)}")
    dtype = nets[0].dtype
    weights = [np.stack([net.layers[i].weights for net in nets]) for i in range(len(nets[0].layers))]
    n_labels = data.n_outputs if method == "cdni" else 0
    gens = [[np.zeros((len(alphas), n + n_labels, n), dtype), np.zeros((len(alphas), 1, n), dtype)]
            for n in nets[0].sizes[1:-1]] if method != "backprop" else []
    step = _backprop_step if method == "backprop" else _synthetic_step
    x, y = data.x.astype(dtype), data.y.astype(dtype)
    alpha = np.array(alphas, dtype)[:, None, None]
    accuracy = np.zeros((len(alphas), epochs))
    diverged_at = np.zeros(len(alphas), dtype=int)
    slices = batches(len(x), batch_size)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(epochs):
            for s in slices:
                step(weights, gens, x[s], y[s], alpha, gen_alpha)
            out = _forward(weights, x)[-1]
            accuracy[:, epoch] = data.headline(out)  # the task's headline metric: bit accuracy on sums
            finite = np.isfinite(out).all(axis=(1, 2))
            for p in weights + [q for g in gens for q in g]:
                finite &= np.isfinite(p).all(axis=(1, 2))
            diverged_at[(diverged_at == 0) & ~finite] = epoch + 1
    return Stack(np.array(alphas), seeds, batch_size, weights, accuracy, diverged_at)


@dataclass
class Landscape:
    """Epochs to a target accuracy over learning rate x batch size, for one method, over seeds.

    Each stack (one per batch size) holds one network per pair (seed, alpha), seed by seed.
    """

    method: str
    alphas: list
    batch_sizes: list
    epochs: int
    stacks: list  # one Stack per batch size
    seeds: list = field(default_factory=lambda: [0])

    def grids(self, accuracy=0.99):
        """(seeds, batch sizes, alphas): epochs to ``accuracy`` per seed, NaN where not reached,
        -1 where the run diverged first."""
        shape = (len(self.seeds), len(self.alphas))
        rows = []
        for stack in self.stacks:
            first = stack.epochs_to(accuracy)
            rows.append(np.where(np.isnan(first) & (stack.diverged_at > 0), -1.0, first).reshape(shape))
        return np.stack(rows, axis=1)

    def reached(self, accuracy=0.99):
        """(batch sizes, alphas): how many seeds reached ``accuracy``."""
        return (self.grids(accuracy) > 0).sum(axis=0)

    def grid(self, accuracy=0.99):
        """(batch sizes, alphas): the median over seeds of the epochs to ``accuracy``, a seed that
        never got there counting as slowest. NaN where most seeds did not get there, -1 where
        most diverged first. With one seed, that seed's epochs."""
        grids = self.grids(accuracy)
        median = np.median(np.where(grids > 0, grids, np.inf), axis=0)
        diverged = (grids < 0).sum(axis=0) > len(self.seeds) / 2
        return np.where(np.isfinite(median), median, np.where(diverged, -1.0, np.nan))

    def fastest(self, accuracy=0.99):
        """``(epochs, alpha, batch_size)`` of the setting with the fewest epochs in :meth:`grid`,
        or None if none got there (diverged runs never count)."""
        grid = self.grid(accuracy)
        epochs = np.where(grid > 0, grid, np.inf)  # NaN > 0 is False: not reached counts as never
        if np.isinf(epochs).all():
            return None
        row, column = np.unravel_index(np.argmin(epochs), grid.shape)
        return float(grid[row, column]), self.alphas[column], self.batch_sizes[row]

    def final_accuracy(self):
        """(batch sizes, alphas): training bit accuracy after the last epoch, median over seeds."""
        shape = (len(self.seeds), len(self.alphas))
        return np.median([stack.bit_accuracy[:, -1].reshape(shape) for stack in self.stacks], axis=1)


def landscape(data, method, alphas, batch_sizes, epochs=300, seeds=0, sizes=(16, 64, 32, 8),
              gen_alpha=GEN_ALPHA):
    """Train ``method`` at every learning rate in ``alphas`` and batch size in ``batch_sizes``,
    from each of ``seeds`` (one seed or a list), and return a :class:`Landscape`. The networks
    that share a batch size, every seed and alpha, train as one stack."""
    check_task("data", data, sigmoid_only=True)  # the stacked steps are those of sigmoid networks
    batch_sizes = check_list("batch_sizes", batch_sizes, lambda name, b: check_int(name, b, low=1, high=len(data)))
    method = check_choice("method", method, SWEEP_METHODS)
    sizes = check_sizes("sizes", sizes)
    if isinstance(seeds, range):  # counted first, listed once the count is checked
        if not seeds:
            raise TypeError(f"seeds must be one seed or a non-empty list of seeds, got {seeds!r}")
    elif ndim("seeds", seeds) == 0:
        seeds = [seeds]
    else:
        seeds = check_list("seeds", seeds, lambda name, s: s)
    alphas = list(_flat("alphas", alphas))
    _check_size(data, method, sizes, len(alphas) * len(seeds), "alphas and seeds (one network per alpha and seed)",
                batch_sizes, epochs)
    seeds = list(seeds)
    stacks = [train_stack(data, method, alphas * len(seeds), b, epochs, seeds=[s for s in seeds for _ in alphas],
                          sizes=sizes, gen_alpha=gen_alpha)
              for b in batch_sizes]
    return Landscape(method, alphas, batch_sizes, epochs, stacks, list(seeds))


def check_seeds(seeds, count):
    """One seed for all ``count`` runs, or a list of one seed per run (each an int >= 0 or a generator)."""
    if ndim("seeds", seeds) == 0:
        make_rng(seeds, "seeds")
        return [seeds] * count
    seeds = check_list("seeds", seeds, lambda name, s: (make_rng(s, name), s)[1])
    if len(seeds) != count:
        raise ValueError(f"seeds must be one seed or one per alpha ({count}), got {len(seeds)} seeds")
    return seeds
