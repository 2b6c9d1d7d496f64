"""A recurrent network trained through time: whole, in chunks, or in chunks with a synthetic
gradient at each boundary (notebook 10).

- :class:`EchoData`, the task "echo k": every step shows a bit; from step k on, the target is
  the bit shown k steps earlier. To answer, the network must keep each bit for k steps.
- :class:`RNN`, a tanh recurrent network with a sigmoid output at every step. Its
  :meth:`RNN.forward` runs a chunk of steps from a given state; its :meth:`RNN.backward` sends
  the error back through that chunk (backpropagation through time, BPTT).
- :func:`train_through_time`: the sequence is cut into chunks of ``T`` steps. The state is carried
  from chunk to chunk, the gradient is not: each chunk updates the network on its own.
  ``future="synthetic"`` puts a :class:`LinearGenerator` at each cut: its guess of the gradient
  from the future enters the chunk's backward pass where truncation would put zero.
- :func:`future_gradients`: the true gradient the future sends back to a boundary, to measure
  how much of it a linear map of the state can predict.

Every array may carry leading "run" axes before its own: weights of shape (runs..., H, H) and
states of shape (runs..., batch, H) train many networks at once, as notebook 08's stacks do.
``@`` (``np.matmul``) multiplies each run's matrices, so the same code trains one network or
fifty.
"""
import numpy as np

from .checks import (DTYPES, check_array, check_choice, check_dtype, check_fraction, check_int, check_list,
                     check_positive, make_rng)
from .layers import sigmoid
from .task import KINDS, Task

STEPS = 24  # the length of every sequence
HIDDEN = 32  # units of the recurrent network
RATE = 3e-3  # Adam's learning rate
CLIP = 1.0  # each run's gradient is scaled down to this norm at most
GEN_RATE = 0.003  # the weight of a new batch in the generator's running averages
RIDGE = 1e-3  # the generator's ridge: keeps its least-squares fit well posed
BATCHES = 400  # batches of training in the notebook's curve
MAX_RUNS = 1000  # networks trained at once: far above the notebook's 40
MAX_BATCHES = 100_000


def swap(a):
    """The transpose of each run's matrix (the last two axes)."""
    return np.swapaxes(a, -1, -2)


def over_steps(a, w):
    """``a_t @ w`` at every example and step: a (runs..., batch, steps, n), w (runs..., n, m)."""
    flat = a.reshape(a.shape[:-3] + (-1, a.shape[-1]))  # (runs..., batch * steps, n)
    return (flat @ w).reshape(np.broadcast_shapes(a.shape[:-3], w.shape[:-2]) + a.shape[-3:-1] + (-1,))


def sum_outer(a, b):
    """The sum over examples and steps of ``a_tᵀ b_t``, the gradient of a weight that ``a`` fed
    and whose output got ``b``: a (runs..., batch, steps, n), b (runs..., batch, steps, m)."""
    return swap(a.reshape(a.shape[:-3] + (-1, a.shape[-1]))) @ b.reshape(b.shape[:-3] + (-1, b.shape[-1]))


# ---------------------------------------------------------------- the task

class EchoData(Task):
    """Sequences of random bits and their echo k steps later.

    ``x`` (examples, steps, 2): the bit ``b`` shown at each step, as ``[b, 1 - b]``;
    ``y`` (examples, steps, 1): the target, the bit shown ``k`` steps earlier (0 where ``t < k``:
    those steps are not scored); ``scored`` (steps,): True from step ``k`` on.
    """

    name = "echo k"
    examples = "echo sequences"
    inputs_are = " per step"
    outputs_are = " per step"
    metric = "bit_accuracy"
    where = "dni_course.recurrent.echo_data"

    def __init__(self, bits, k):
        bits = check_array("bits", bits, (None, None), low=0, high=1)
        if not np.all((bits == 0) | (bits == 1)):
            raise ValueError("bits must hold only 0 and 1 (one row of bits per sequence)")
        bits = bits.astype(float)
        self.k = check_echo(k, bits.shape[1])[0]
        self.x = np.stack([bits, 1 - bits], axis=-1)
        self.y = echo_targets(bits, k)[..., None]
        self.scored = np.arange(bits.shape[-1]) >= k
        self.mask = self.scored[:, None].astype(float)  # broadcasts against (..., steps, 1)

    @property
    def n_inputs(self):
        return self.x.shape[-1]

    @property
    def n_outputs(self):
        return self.y.shape[-1]

    @property
    def steps(self):
        return self.x.shape[-2]

    def check_network(self, net):
        if not isinstance(net, RNN):
            raise TypeError(f"net must be a dni_course.recurrent.RNN, got {type(net).__name__}")
        return net

    def check_test(self, test):
        test = super().check_test(test)
        if (test.k, test.steps) != (self.k, self.steps):
            raise ValueError(f"test must be echo {self.k} over {self.steps} steps, got echo {test.k} "
                             f"over {test.steps} steps")
        return test

    def scores(self, output):
        """``bit_accuracy``: the share of scored steps where the output is on the right side of 0.5."""
        return {"bit_accuracy": float(self.headline(np.asarray(output)))}

    def headline(self, output):
        """Bit accuracy of outputs with any leading run axes: (runs..., examples, steps, 1) -> (runs...)."""
        if output.shape[-3:] != self.y.shape:
            raise ValueError(f"output must end in the shape of the targets, {self.y.shape}, got {output.shape}")
        right = (output > 0.5) == (self.y > 0.5)
        return right[..., self.scored, :].mean(axis=(-3, -2, -1))

    def evaluate(self, net):
        return self.scores(net.predict(self.x))


# dc.train, the sweep and the explorers train feed-forward networks on rows of features; echo k
# needs a recurrent network (train_through_time). Their messages list the kinds they can train.
KINDS.remove(EchoData)


def echo_targets(bits, k):
    """The bit shown ``k`` steps earlier, at every step of ``bits`` (..., steps); 0 before step k."""
    target = np.zeros_like(bits)
    target[..., k:] = bits[..., :bits.shape[-1] - k]
    return target


def echo_data(k, steps=STEPS, n_examples=500, seed=0):
    """``n_examples`` random sequences of ``steps`` bits for echo ``k`` (a held-out set)."""
    k, steps = check_echo(k, steps)
    n_examples = check_int("n_examples", n_examples, low=1, high=100_000)
    bits = make_rng(seed).integers(0, 2, (n_examples, steps))
    return EchoData(bits, k)


def check_echo(k, steps):
    steps = check_int("steps", steps, low=2, high=1000)
    k = check_int("k", k, low=1, high=steps - 1, why=f"a sequence of {steps} steps must score at least one step")
    return k, steps


# ---------------------------------------------------------------- the network

class RNN:
    """A tanh recurrent network with a sigmoid output at every step:

        h_t = tanh(x_t @ W_in + h_(t-1) @ W_rec + b)        (the state)
        p_t = sigmoid(h_t @ W_out + b_out)                  (the guess of the target bit)

    ``weights`` maps each name to an array with the run axes first: W_in (runs..., inputs, H),
    W_rec (runs..., H, H), b (runs..., H), W_out (runs..., H, outputs), b_out (runs..., outputs).
    """

    NAMES = ("W_in", "W_rec", "b", "W_out", "b_out")

    def __init__(self, weights):
        missing = [n for n in self.NAMES if n not in weights]
        if missing:
            raise ValueError(f"weights must hold {', '.join(self.NAMES)}; missing {', '.join(missing)}")
        self.weights = {n: np.asarray(weights[n]) for n in self.NAMES}
        dtypes = sorted({str(w.dtype) for w in self.weights.values()})
        if len(dtypes) != 1 or np.dtype(dtypes[0]) not in DTYPES:
            raise TypeError(f"weights must all be float32 or all float64, got {', '.join(dtypes)}")

    def __eq__(self, other):
        """Equal when every weight is (the exercises' checks compare a network before and after
        a student's function, to catch one that changes it)."""
        return isinstance(other, RNN) and all(
            a.shape == b.shape and np.array_equal(a, b) for a, b in zip(self.weights.values(), other.weights.values()))

    __hash__ = None  # the weights change: no hash

    @classmethod
    def create(cls, seeds, n_inputs=2, n_hidden=HIDDEN, n_outputs=1, scale=1.0, dtype=np.float64):
        """One network per seed (the run axis), stacked: W_rec is a random orthogonal matrix times
        ``scale`` (lengths kept, so a state neither dies nor explodes at first); W_in from
        N(0, 1/2), W_out from N(0, 1/H); biases zero. float32 runs about twice as fast."""
        seeds = check_list("seeds", list(seeds) if isinstance(seeds, range) else seeds,
                           lambda name, s: check_int(name, s, low=0))
        n_hidden = check_int("n_hidden", n_hidden, low=1, high=1000)
        scale = check_positive("scale", scale)
        stacks = {n: [] for n in cls.NAMES}
        for seed in seeds:
            rng = np.random.default_rng(seed)
            q, r = np.linalg.qr(rng.standard_normal((n_hidden, n_hidden)))
            stacks["W_rec"].append(scale * q * np.sign(np.diag(r)))  # a uniformly random rotation
            stacks["W_in"].append(rng.standard_normal((n_inputs, n_hidden)) / np.sqrt(2))
            stacks["W_out"].append(rng.standard_normal((n_hidden, n_outputs)) / np.sqrt(n_hidden))
            stacks["b"].append(np.zeros(n_hidden))
            stacks["b_out"].append(np.zeros(n_outputs))
        dtype = check_dtype("dtype", dtype)
        return cls({n: np.array(v, dtype=dtype) for n, v in stacks.items()})

    @property
    def runs(self):
        """The shape of the run axes, e.g. (5,) for five networks."""
        return self.weights["b"].shape[:-1]

    @property
    def dtype(self):
        return self.weights["b"].dtype

    @property
    def n_hidden(self):
        return self.weights["b"].shape[-1]

    def copy(self):
        return RNN({n: w.copy() for n, w in self.weights.items()})

    def zero_state(self, batch):
        return np.zeros(self.runs + (batch, self.n_hidden), self.dtype)

    def forward(self, x, h0):
        """Run the steps of ``x`` (runs..., batch, steps, inputs) from the state ``h0``
        (runs..., batch, H). Returns the states (runs..., batch, steps, H) and the outputs
        (runs..., batch, steps, outputs)."""
        w = self.weights
        # The input's push on the state does not depend on the state: all steps in one product.
        drive = over_steps(x, w["W_in"]) + w["b"][..., None, None, :]
        states = np.empty(drive.shape, drive.dtype)
        h = h0
        for t in range(x.shape[-2]):
            h = np.tanh(drive[..., t, :] + h @ w["W_rec"])
            states[..., t, :] = h
        return states, sigmoid(over_steps(states, w["W_out"]) + w["b_out"][..., None, None, :])

    def backward(self, x, h0, states, error, future):
        """Backpropagation through the chunk that :meth:`forward` ran.

        ``error``: dLoss/d(output's pre-activation) at each step, (runs..., batch, steps, outputs);
        ``future``: dLoss/d(last state) from the steps after the chunk, (runs..., batch, H):
        zero for plain truncation, a generator's guess for a synthetic gradient.
        Returns the gradients (a dict like ``weights``) and dLoss/d``h0``, which the steps before
        the chunk would need.
        """
        w = self.weights
        from_output = over_steps(error, swap(w["W_out"]))  # what each step's output sends its state
        deltas = np.empty(states.shape, states.dtype)  # dLoss/d(pre-activation) of the state, at each step
        g = future  # dLoss/dh_t from everything after step t
        for t in range(x.shape[-2] - 1, -1, -1):
            g = g + from_output[..., t, :]  # ... plus what step t's own output adds
            deltas[..., t, :] = g * (1 - states[..., t, :] ** 2)  # through tanh: 1 - tanh^2
            g = deltas[..., t, :] @ swap(w["W_rec"])  # back to the state before: dLoss/dh_(t-1)
        # Each step used the state before it: h0, then the chunk's own states but the last.
        before = np.concatenate([h0[..., None, :], states[..., :-1, :]], axis=-2)
        grads = {"W_in": sum_outer(x, deltas), "W_rec": sum_outer(before, deltas),
                 "b": deltas.sum(axis=(-3, -2)), "W_out": sum_outer(states, error),
                 "b_out": error.sum(axis=(-3, -2))}
        return grads, g

    def loss(self, x, y, mask, h0=None):
        """Cross-entropy summed over the scored steps (``mask`` 1), averaged over the batch (per run)."""
        h0 = self.zero_state(x.shape[-3]) if h0 is None else h0
        _, p = self.forward(x, h0)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        ce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        return (ce * mask).sum(axis=(-3, -2, -1)) / x.shape[-3]

    def predict(self, x):
        """The outputs on whole sequences from the zero state (x may lack the run axes)."""
        return self.forward(x, self.zero_state(x.shape[-3]))[1]


def output_error(p, y, mask):
    """dLoss/d(pre-activation) for a sigmoid output and cross-entropy: ``p - y`` on the scored
    steps (``mask`` 1), 0 elsewhere, divided by the batch size (the loss is a batch mean)."""
    return (p - y) * mask / p.shape[-3]


# ---------------------------------------------------------------- the synthetic gradient

class LinearGenerator:
    """Guesses dLoss/dh at a boundary from the state alone: ``h @ G + c``.

    It is refitted by ridge least squares after every batch: it keeps running averages of
    ``[h, 1]ᵀ[h, 1]`` and ``[h, 1]ᵀ target`` over the batches it has seen and solves for
    ``[G; c]``. The averages forget old batches slowly (``rate``), because the network, and with
    it the gradient to predict, keeps changing. It starts at zero: no guess, as truncation."""

    def __init__(self, runs, n_hidden, rate=GEN_RATE, ridge=RIDGE, dtype=np.float64):
        self.rate, self.ridge = rate, ridge
        self.weights = np.zeros(tuple(runs) + (n_hidden + 1, n_hidden), dtype)  # [G; c]
        self.hh = np.zeros(tuple(runs) + (n_hidden + 1, n_hidden + 1), dtype)
        self.ht = np.zeros(tuple(runs) + (n_hidden + 1, n_hidden), dtype)

    def __eq__(self, other):
        return isinstance(other, LinearGenerator) and all(
            a.shape == b.shape and np.array_equal(a, b) for a, b in
            zip((self.weights, self.hh, self.ht), (other.weights, other.hh, other.ht)))

    __hash__ = None

    @staticmethod
    def with_one(h):
        return np.concatenate([h, np.ones(h.shape[:-1] + (1,), h.dtype)], axis=-1)

    def predict(self, h):
        return self.with_one(h) @ self.weights

    def add(self, h, target):
        """States ``h`` and their targets, both (runs..., batch, H), into the running averages."""
        h1 = self.with_one(h)
        batch = h.shape[-2]
        self.hh += self.rate * (swap(h1) @ h1 / batch - self.hh)
        self.ht += self.rate * (swap(h1) @ target / batch - self.ht)

    def refit(self):
        """The least-squares fit to the averages: solve (hh + ridge I) [G; c] = ht."""
        ridge = self.ridge * np.eye(self.hh.shape[-1], dtype=self.hh.dtype)
        self.weights = np.linalg.solve(self.hh + ridge, self.ht)


def bootstrapped_target(net, generator, x, y, mask, h0, last):
    """The generator's target at the chunk's first state ``h0``: the gradient the chunk's own
    losses send back to ``h0``, plus the generator's guess at the chunk's end sent back through
    the chunk (none after the last chunk: nothing follows it). Also returns the network's
    gradients from that backward pass and the chunk's last state."""
    states, p = net.forward(x, h0)
    end = states[..., -1, :]
    future = np.zeros_like(end) if last else generator.predict(end)
    grads, target = net.backward(x, h0, states, output_error(p, y, mask), future)
    return target, grads, end


# ---------------------------------------------------------------- training

class Adam:
    """Adam (Kingma and Ba 2015): each weight's step is its gradient's running mean divided by
    the root of its running mean square, so every weight moves at about ``rate`` per step
    whatever the scale of its gradient (the RNN's gradients span orders of magnitude)."""

    def __init__(self, weights, rate=RATE, beta1=0.9, beta2=0.999, eps=1e-8):
        self.rate, self.beta1, self.beta2, self.eps = rate, beta1, beta2, eps
        self.mean = {n: np.zeros_like(w) for n, w in weights.items()}
        self.square = {n: np.zeros_like(w) for n, w in weights.items()}
        self.t = 0

    def step(self, weights, grads):
        self.t += 1
        fix1, fix2 = 1 - self.beta1 ** self.t, 1 - self.beta2 ** self.t  # the averages start at 0
        for n, g in grads.items():
            self.mean[n] += (1 - self.beta1) * (g - self.mean[n])
            self.square[n] += (1 - self.beta2) * (g ** 2 - self.square[n])
            weights[n] -= self.rate * (self.mean[n] / fix1) / (np.sqrt(self.square[n] / fix2) + self.eps)


def clip(grads, runs, limit=CLIP):
    """Scale each run's gradients (all its weights together) down to norm ``limit`` at most:
    one unlucky batch cannot throw a network far."""
    norm = np.sqrt(sum((g.reshape(runs + (-1,)) ** 2).sum(axis=-1) for g in grads.values()))
    scale = np.minimum(1.0, limit / np.maximum(norm, 1e-12))
    return {n: g * scale.reshape(runs + (1,) * (g.ndim - len(runs))) for n, g in grads.items()}


class Result:
    """What :func:`train_through_time` trained: ``accuracy`` (len(ks), len(seeds)), the held-out
    bit accuracy of each run; the stacked ``net`` and ``generator`` (None without one)."""

    def __init__(self, ks, seeds, accuracy, net, generator):
        self.ks, self.seeds, self.accuracy, self.net, self.generator = ks, seeds, accuracy, net, generator

    def solved(self, threshold=0.99):
        """How many seeds reach ``threshold`` held-out bit accuracy, per k."""
        return (self.accuracy >= threshold).sum(axis=1)


def echo_batch(rngs, ks, batch, steps, dtype=np.float64):
    """Fresh random sequences, one draw per seed (``rngs``) shared by every k: inputs
    (seeds, batch, steps, 2), which broadcast against the run axes (len(ks), seeds), targets and
    masks. A run's data depend on its seed only, not on which other runs train beside it."""
    bits = np.stack([rng.integers(0, 2, (batch, steps)) for rng in rngs]).astype(dtype)
    y = np.stack([echo_targets(bits, k) for k in ks])[..., None]
    x = np.stack([bits, 1 - bits], axis=-1)  # (seeds, ...): every k's networks see the same
    mask = (np.arange(steps) >= np.array(ks)[:, None]).astype(dtype)  # (len(ks), steps)
    return x, y, mask[:, None, None, :, None]


FUTURES = {
    "none": "zero: plain truncation",
    "synthetic": "a linear generator's guess, fitted to its bootstrapped target",
    "true": "the true gradient from the rest of the sequence (a control: needs full BPTT)",
    "regressed": "a linear generator's guess, fitted to the true gradient (a control)",
}


def train_through_time(ks, seeds, T=None, future="none", batches=BATCHES, steps=STEPS, batch=32,
                       rate=RATE, scale=1.0, gen_rate=GEN_RATE, data_seed=0, test=500,
                       dtype=np.float32, mix=0.0):
    """Train one RNN per (k, seed) on echo k, all at once, and score each on held-out sequences.

    Every batch is ``batch`` fresh sequences of ``steps`` steps, run from the zero state in
    chunks of ``T`` steps (None: the whole sequence, full BPTT). Each chunk updates the network
    with Adam, on its gradient clipped at norm 1. ``future`` says what enters each chunk's
    backward pass at its end (a key of ``FUTURES``). ``test``: held-out sequences per run
    (drawn with ``data_seed + 1``).

    ``mix`` (with ``future="synthetic"`` only), in the spirit of BP(λ): the generator's target is
    ``(1 - mix) * bootstrapped + mix * true``, where ``true`` is the true future gradient at the
    chunk's first state (from full BPTT: a measurement of how much truth the target needs, not a
    method). 0 is the synthetic gradient; 1 is the same as ``future="regressed"``.
    """
    ks, seeds = (list(v) if isinstance(v, range) else v for v in (ks, seeds))  # range(5) too
    ks = check_list("ks", ks, lambda name, k: check_echo(k, steps)[0])
    seeds = check_list("seeds", seeds, lambda name, s: check_int(name, s, low=0))
    T = steps if T is None else check_int("T", T, low=1, high=steps)
    future = check_choice("future", future, tuple(FUTURES))
    mix = check_fraction("mix", mix)
    if mix and future != "synthetic":
        raise ValueError(f"mix mixes the true gradient into the bootstrapped target: it needs "
                         f"future='synthetic', got future={future!r}")
    if future != "none" and T == steps:
        raise ValueError(f"future={future!r} needs chunks shorter than the sequence (T below {steps}): "
                         "with one chunk there is no boundary to send a gradient to")
    batches = check_int("batches", batches, low=1, high=MAX_BATCHES)
    batch = check_int("batch", batch, low=1, high=10_000)
    data_seed = check_int("data_seed", data_seed, low=0)
    if len(ks) * len(seeds) > MAX_RUNS:
        raise ValueError(f"ks and seeds make {len(ks) * len(seeds)} networks, at most {MAX_RUNS} train at once")
    runs = (len(ks), len(seeds))
    net = RNN.create([s for _ in ks for s in seeds], scale=scale, dtype=dtype)
    net.weights = {n: w.reshape(runs + w.shape[1:]) for n, w in net.weights.items()}
    adam = Adam(net.weights, rate)
    generator = LinearGenerator(runs, net.n_hidden, gen_rate, dtype=net.dtype)
    rngs = [np.random.default_rng([data_seed, seed]) for seed in seeds]
    for _ in range(batches):
        x, y, mask = echo_batch(rngs, ks, batch, steps, net.dtype)
        if future in ("true", "regressed") or mix:  # with the weights as they are before this batch
            truth = true_futures(net, x, y, mask, T)
        h = net.zero_state(batch)
        for i, start in enumerate(range(0, steps, T)):
            part = slice(start, start + T)
            last = start + T >= steps
            if future == "synthetic":
                target, grads, end = bootstrapped_target(net, generator, x[..., part, :], y[..., part, :],
                                                         mask[..., part, :], h, last)
                if start > 0:  # the state a guess was made for (the zero state at 0 never is)
                    if mix:
                        target = (1 - mix) * target + mix * truth[i - 1]  # truth at this state
                    generator.add(h, target)
            else:
                states, p = net.forward(x[..., part, :], h)
                end = states[..., -1, :]
                sent = np.zeros_like(end)
                if not last and future == "true":
                    sent = truth[i]
                elif not last and future == "regressed":
                    sent = generator.predict(end)
                    generator.add(end, truth[i])
                grads, _ = net.backward(x[..., part, :], h, states,
                                        output_error(p, y[..., part, :], mask[..., part, :]), sent)
            adam.step(net.weights, clip(grads, runs))
            h = end  # the state goes on to the next chunk; the gradient does not come back
        if future in ("synthetic", "regressed"):
            generator.refit()  # once per batch: a solve costs more than a whole chunk
    accuracy = held_out_accuracy(net, ks, steps, check_int("test", test, low=1, high=100_000), data_seed + 1)
    return Result(ks, seeds, accuracy, net, generator if future in ("synthetic", "regressed") else None)


def true_futures(net, x, y, mask, T):
    """The true gradient that the steps after each chunk send back to its last state: full BPTT
    over the whole sequence, one chunk at a time from the end, each chunk handing the gradient
    at its start to the chunk before. A list, one (runs..., batch, H) array per chunk but the last."""
    states, p = net.forward(x, net.zero_state(x.shape[-3]))
    error = output_error(p, y, mask)
    starts = list(range(0, x.shape[-2], T))
    sent, futures = np.zeros_like(states[..., 0, :]), []
    for start in reversed(starts):
        part = slice(start, start + T)
        h0 = states[..., start - 1, :] if start > 0 else np.zeros_like(sent)
        futures.append(sent)
        sent = net.backward(x[..., part, :], h0, states[..., part, :], error[..., part, :], sent)[1]
    return futures[::-1][:-1]


def held_out_accuracy(net, ks, steps, n_examples, seed):
    """Each run's bit accuracy on ``n_examples`` held-out sequences of its own k (runs (len(ks), ...))."""
    bits = np.random.default_rng(seed).integers(0, 2, (n_examples, steps))
    data = [EchoData(bits, k) for k in ks]
    p = net.predict(data[0].x.astype(net.dtype))
    return np.stack([d.headline(p[i]) for i, d in enumerate(data)])


# ---------------------------------------------------------------- what the state can predict

def future_gradients(net, data, T):
    """At every chunk boundary of ``data``'s sequences (after steps T-1, 2T-1, ...): the state
    there, and the true gradient the rest of the sequence sends back to it, split into the part
    from the next chunk's losses and the part from further ahead. A generator that sees only the
    state must predict the sum. Returns three arrays (runs..., boundaries * examples, H)."""
    T = check_int("T", T, low=1, high=data.steps - 1)
    x, y, mask = (a.astype(net.dtype) for a in (data.x, data.y, data.mask))
    states, p = net.forward(x, net.zero_state(len(data)))
    error = output_error(p, y, mask)
    h, total, beyond = [], [], []
    for end in range(T, data.steps, T):  # the first step after the boundary
        start = states[..., end - 1, :]
        later = states[..., end:, :]
        zero = np.zeros_like(start)
        total.append(net.backward(x[..., end:, :], start, later, error[..., end:, :], zero)[1])
        near = slice(end, end + T)
        next_only = net.backward(x[..., near, :], start, states[..., near, :], error[..., near, :], zero)[1]
        beyond.append(total[-1] - next_only)
        h.append(np.broadcast_to(start, total[-1].shape))
    return (np.concatenate(h, axis=-2), np.concatenate(total, axis=-2),
            np.concatenate(beyond, axis=-2))


def linear_r2(h, g, ridge=RIDGE):
    """How much of ``g``'s variance a linear map of ``h`` explains on rows it was not fitted to:
    fitted by ridge least squares on the even rows, R² on the odd rows (1: all of it; 0: no
    better than the mean; below 0: worse). Per run: (runs...)."""
    h1 = LinearGenerator.with_one(h.astype(np.float64))
    g = g.astype(np.float64)
    a, b = h1[..., 0::2, :], g[..., 0::2, :]
    n = a.shape[-2]
    fit = np.linalg.solve(swap(a) @ a / n + ridge * np.eye(a.shape[-1]), swap(a) @ b / n)
    rest = g[..., 1::2, :]
    error = ((h1[..., 1::2, :] @ fit - rest) ** 2).sum(axis=(-2, -1))
    return 1 - error / ((rest - rest.mean(axis=-2, keepdims=True)) ** 2).sum(axis=(-2, -1))


def echo_curve(ks, seeds, T=3, batches=BATCHES, **options):
    """The notebook's four rows, each a :class:`Result` over ``ks`` and ``seeds``: truncation at
    T, at 2T, at T with a synthetic gradient, and full BPTT (``options`` go to every row)."""
    rows = {f"truncated, T={T}": {"T": T}, f"truncated, T={2 * T}": {"T": 2 * T},
            f"T={T} + synthetic gradient": {"T": T, "future": "synthetic"}, "full BPTT": {"T": None}}
    return {name: train_through_time(ks, seeds, batches=batches, **row, **options)
            for name, row in rows.items()}
