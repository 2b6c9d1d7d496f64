"""Measure dc.train's gen_input ("raw", "centred", "normalised") over seeds 0-4.

Usage: python tools/measure_normalised.py [addition] [digits] [variants] [--quick]
(all three when none is named; --quick: seeds 0-1 and short budgets, to try the script).

addition: the 8-bit task (16-64-32-8 sigmoid, 100 sums, batch 10, 1000 held-out sums):
          the generators' largest eigenvalue per input mode; cDNI at alpha 1 over generator
          rates 0.03-3 (epochs to 99%, divergence per seed); DNI at alpha 0.1 and 1 and the
          output-only control (best training bits, held-out bits).
digits:   notebook 07's settings (64-wide ReLU, softmax, batch 16, alpha 0.003): DNI and cDNI
          held-out accuracy at 3 layers (15 epochs) and 6 layers (45 epochs) over generator rates.
variants: choices measured but not taken: the labels left raw, running statistics.
Prints medians with (min-max) over seeds. About 10 minutes on a shared 2-core machine.
"""
import sys
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dni_course as dc  # noqa: E402
from dni_course.layers import NORM_EPS  # noqa: E402

QUICK = "--quick" in sys.argv
SEEDS = range(2) if QUICK else range(5)
MODES = ("raw", "centred", "normalised")
ADD_EPOCHS = 150 if QUICK else 600
SIZES = (16, 64, 32, 8)


def spread(values, fmt="{:.3f}"):
    """'median (min-max)' of the finite values, '-' when there are none."""
    values = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if not values.size:
        return "-"
    return f"{fmt.format(np.median(values))} ({fmt.format(values.min())}-{fmt.format(values.max())})"


def attempt(train):
    """Run ``train()``; None if it diverged."""
    try:
        return train()
    except dc.TrainingDiverged:
        return None


# --- 8-bit addition -----------------------------------------------------------------------

ADD = dc.addition_data(bits=8, n_examples=100, seed=0)
ADD_TEST = dc.held_out_data(ADD, n_examples=1000, seed=1)


def add_run(method, alpha, seed, epochs=ADD_EPOCHS, **options):
    net = dc.Network.create(SIZES, seed=seed)
    return attempt(lambda: dc.train(net, ADD, method=method, alpha=alpha, batch_size=10, epochs=epochs,
                                    stop_at=0.99, test=ADD_TEST, measure_every=10, **options))


def outcome(history):
    """One seed: epochs to 99%, 'div' or 'no (best training bits)'."""
    if history is None:
        return "div"
    reached = history.epochs_to(0.99)
    return str(reached) if reached else f"no ({history.series('bit_accuracy').max():.2f})"


def cdni_rates(label, gen_alphas=(0.03, 0.1, 0.2, 0.3, 1.0, 3.0), **options):
    """cDNI at alpha 1 over generator rates: each seed's outcome, and the epochs' spread."""
    for gen_alpha in gen_alphas:
        runs = [add_run("cdni", 1.0, s, gen_alpha=gen_alpha, **options) for s in SEEDS]
        reached = [h.epochs_to(0.99) if h else None for h in runs]
        print(f"  {label:<24} gen_alpha {gen_alpha:<5g} seeds: {', '.join(outcome(h) for h in runs):<44} "
              f"reached {sum(r is not None for r in reached)}/{len(runs)}, epochs {spread(reached, '{:.0f}')}",
              flush=True)


def eigenvalues():
    """Largest eigenvalue of the mean of a a^T, a = [prepared input, 1], on a fresh network: over
    all 100 sums, and the median over the ten batches of 10 that training steps on."""
    print("Largest eigenvalue of mean(a a^T), a = [prepared h, y, 1], fresh network seed 0; bound 2/lambda")
    net = dc.Network.create(SIZES, seed=0)
    net.predict(ADD.x)
    y = ADD.y.astype(np.float32)
    for mode in MODES:
        cells = []
        for i in range(2):
            def largest(rows):
                gen = dc.SyntheticGradient(SIZES[i + 1], n_labels=8, input_mode=mode)
                gen.predict(net.layers[i].output[rows], y[rows])
                a = np.hstack([gen.input, np.ones((len(gen.input), 1))]).astype(np.float64)
                return np.linalg.eigvalsh(a.T @ a / len(a))[-1]
            whole = largest(slice(None))
            batch = np.median([largest(s) for s in dc.training.batches(len(ADD), 10)])
            cells.append(f"gen {i + 1}: all 100 {whole:6.2f} (bound {2 / whole:5.2f}), "
                         f"batches of 10 {batch:6.2f} (bound {2 / batch:5.2f})")
        print(f"  {mode:<11} " + ";  ".join(cells))


def addition():
    print(f"8-bit addition, seeds {SEEDS[0]}-{SEEDS[-1]}, alpha 1 for cDNI, up to {ADD_EPOCHS} epochs, stop at 99%")
    eigenvalues()
    print("\ncDNI alpha 1: per seed epochs to 99% train bits, 'div' (overflowed) or 'no (best train bits)'")
    for mode in MODES:
        cdni_rates(mode, gen_input=mode)
    print("\nHeld-out bits when cDNI stops at 99% (gen_alpha 0.03; and each mode's best rate above)")
    for mode, gen_alpha in (("raw", 0.03), ("raw", 0.1), ("centred", 0.03), ("centred", 0.3),
                            ("normalised", 0.03)):
        runs = [add_run("cdni", 1.0, s, gen_alpha=gen_alpha, gen_input=mode) for s in SEEDS]
        print(f"  {mode:<11} gen_alpha {gen_alpha:<5g} held-out bits at the end {spread([h.final('test')['bit_accuracy'] for h in runs if h])}")
    print(f"\nDNI (and the output-only control), {ADD_EPOCHS} epochs: reached 99%, best train bits, "
          "held-out bits at the end and best (measured every 10 epochs)")
    rows = [("output_only", alpha, None, None) for alpha in (0.1, 1.0)]
    rows += [("dni", alpha, mode, gen_alpha) for alpha in (0.1, 1.0) for mode in MODES for gen_alpha in (0.03, 0.1, 0.3)]
    for method, alpha, mode, gen_alpha in rows:
        options = {} if mode is None else dict(gen_input=mode, gen_alpha=gen_alpha)
        runs = [add_run(method, alpha, s, **options) for s in SEEDS]
        done = [h for h in runs if h]
        label = f"{method} alpha {alpha:g}" + ("" if mode is None else f" {mode} gen_alpha {gen_alpha:g}")
        print(f"  {label:<40} diverged {len(runs) - len(done)}/{len(runs)}, "
              f"reached {sum(h.epochs_to(0.99) is not None for h in done)}, "
              f"best train {spread([h.series('bit_accuracy').max() for h in done])}, "
              f"held-out end {spread([h.final('test')['bit_accuracy'] for h in done])}, "
              f"best {spread([h.series('bit_accuracy', 'test').max() for h in done])}", flush=True)


# --- 8x8 digits ---------------------------------------------------------------------------

DIGITS = None


def digits_run(method, depth, seed, epochs, **options):
    global DIGITS
    if DIGITS is None:
        DIGITS = dc.digits.load_digits_data(seed=0)
    train, test = DIGITS
    net = dc.Network.create((64,) + (64,) * (depth - 1) + (10,), seed=seed, init="he", bias=True,
                            activation="relu", output="softmax")
    history = attempt(lambda: dc.train(net, train, method=method, alpha=0.003, batch_size=16, epochs=epochs,
                                       test=test, measure_every=epochs, **options))
    return None if history is None else history.final("test")["accuracy"]


def digits_row(label, accuracies):
    done = [a for a in accuracies if a is not None]
    print(f"  {label:<40} held-out {spread(done, '{:.1%}'):<22} diverged {len(accuracies) - len(done)}/"
          f"{len(accuracies)}, seeds: {' '.join('div' if a is None else f'{a:.3f}' for a in accuracies)}", flush=True)


def digits():
    for depth, epochs in ((3, 15), (6, 45)):
        epochs = 5 if QUICK else epochs
        print(f"\nDigits, {depth} layers (width 64), {epochs} epochs, seeds {SEEDS[0]}-{SEEDS[-1]}: held-out accuracy")
        digits_row("backprop", [digits_run("backprop", depth, s, epochs) for s in SEEDS])
        for method in ("dni", "cdni"):
            for mode in MODES:
                for gen_alpha in (0.02, 0.05, 0.1, 0.2):
                    digits_row(f"{method} {mode} gen_alpha {gen_alpha:g}",
                               [digits_run(method, depth, s, epochs, gen_input=mode, gen_alpha=gen_alpha)
                                for s in SEEDS])


# --- variants not taken ---------------------------------------------------------------------

class Variant(dc.SyntheticGradient):
    """A linear generator that prepares only h (labels left raw), or uses running statistics
    (momentum 0.9, updated when it learns; a first batch uses its own)."""

    def __init__(self, n_out, n_labels=0, dtype=np.float32, input_mode="raw", labels_raw=False, running=False):
        super().__init__(n_out, n_labels, dtype, input_mode=input_mode)
        self.labels_raw, self.running = labels_raw, running
        self.mean = self.var = None

    def predict(self, h, labels=None):
        a = np.hstack([h, labels]) if self.n_labels else h
        k = h.shape[1] if self.labels_raw else a.shape[1]
        self.seen = a[:, :k]
        mean, var = ((self.mean, self.var) if self.running and self.mean is not None
                     else (self.seen.mean(axis=0), self.seen.var(axis=0)))
        prepared = self.seen - mean
        if self.input_mode == "normalised":
            prepared = prepared / np.sqrt(var + NORM_EPS)
        self.input = np.hstack([prepared, a[:, k:]]).astype(a.dtype)
        self.guess = self.input @ self.weights + self.bias
        return self.guess

    def learn(self, target, alpha):
        super().learn(target, alpha)
        if self.running:
            mean, var = self.seen.mean(axis=0), self.seen.var(axis=0)
            self.mean = mean if self.mean is None else 0.9 * self.mean + 0.1 * mean
            self.var = var if self.var is None else 0.9 * self.var + 0.1 * var


@contextmanager
def generators(**variant):
    """dc.train builds Variant generators inside this block."""
    keep = dc.training.SyntheticGradient
    dc.training.SyntheticGradient = partial(Variant, **variant)
    try:
        yield
    finally:
        dc.training.SyntheticGradient = keep


def variants():
    print("\nVariants not taken, cDNI on addition (as above)")
    for mode in ("centred", "normalised"):
        with generators(labels_raw=True):
            cdni_rates(f"{mode}, labels raw", gen_input=mode)
        with generators(running=True):
            cdni_rates(f"{mode}, running stats", gen_input=mode)
    epochs = 5 if QUICK else 45
    print(f"\nVariants not taken, digits 6 layers, {epochs} epochs: held-out accuracy")
    for mode in ("centred", "normalised"):
        for method in ("dni", "cdni"):
            for gen_alpha in (0.02, 0.05):
                with generators(running=True):
                    digits_row(f"{method} {mode} running stats gen_alpha {gen_alpha:g}",
                               [digits_run(method, 6, s, epochs, gen_input=mode, gen_alpha=gen_alpha)
                                for s in SEEDS])


if __name__ == "__main__":
    start = time.perf_counter()
    parts = [a for a in sys.argv[1:] if not a.startswith("--")] or ["addition", "digits", "variants"]
    for part in parts:
        {"addition": addition, "digits": digits, "variants": variants}[part]()
    print(f"\n{time.perf_counter() - start:.0f} s")
