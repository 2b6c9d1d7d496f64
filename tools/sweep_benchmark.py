"""Measure the sweep (many networks at once, dni_course.sweep) against a loop of dc.train, and print it.

The settings of notebook 08's heatmap: 8 learning rates x 6 batch sizes x 300 epochs on the
8-bit task (100 sums, 16-64-32-8), for backprop and cDNI. Each measurement is repeated, the
sweep and the loop taking turns so that a burst of load from elsewhere hits both alike, first
on the machine as it is ("idle": other users may be working), then with two busy processes of
ours competing for the two cores. Prints the median, min and max seconds, the speed-up, and
whether the sweep and the loop agree on every setting's epochs to 99%. Each batch size is
timed on its own too, to show where the speed-up comes from: stacking removes per-call
overhead, which dominates at small batches; at large batches both do the same arithmetic.

Usage: .venv/bin/python tools/sweep_benchmark.py [--repeats N]      (about two minutes)
tools/benchmark.py runs it as its part 5 (`tools/benchmark.py sweep`).

dni_course.sweep frees one 4 MB block before it trains (`_keep_freed_memory`): without it, in
a fresh Python process, glibc's malloc handed the memory of cDNI's stacked arrays back to the
system after every step, and the cDNI sweep took 285 755 page faults instead of 149 (measured
with resource.getrusage) and up to twice the time at batch 50 and 100.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dni_course as dc  # noqa: E402
from dni_course.sweep import Landscape, train_stack  # noqa: E402

ALPHAS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
BATCH_SIZES = (5, 10, 20, 25, 50, 100)
EPOCHS = 300
BUDGET = {"backprop": 2.0, "cdni": 3.0}  # seconds the issue allows the sweep


def loop_of_train(data, method, batch_size):
    """The same settings at one batch size, one dc.train after another: epochs to 99% per alpha."""
    row = np.full(len(ALPHAS), np.nan)
    for j, a in enumerate(ALPHAS):
        try:
            h = dc.train(dc.Network.create((16, 64, 32, 8), seed=0), data, method=method, alpha=a,
                         batch_size=batch_size, epochs=EPOCHS)
        except dc.TrainingDiverged:
            row[j] = -1.0
            continue
        row[j] = np.nan if h.epochs_to(0.99) is None else h.epochs_to(0.99)
    return row


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def measure(data, method, repeats):
    """Seconds per repeat and batch size, (repeats, batch sizes), for the sweep (one stack per
    batch size, as dni_course.sweep.landscape trains it) and the loop, taking turns."""
    sweep_s = np.zeros((repeats, len(BATCH_SIZES)))
    loop_s = np.zeros((repeats, len(BATCH_SIZES)))
    agree = True
    for r in range(repeats):
        for i, b in enumerate(BATCH_SIZES):
            sweep_s[r, i], stack = timed(train_stack, data, method, ALPHAS, b, EPOCHS)
            loop_s[r, i], row = timed(loop_of_train, data, method, b)
            grid = Landscape(method, list(ALPHAS), [b], EPOCHS, [stack]).grid()
            agree &= np.array_equal(grid[0], row, equal_nan=True)
    return sweep_s, loop_s, agree


def spread(values):
    return f"{statistics.median(values):5.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def report(condition, data, repeats):
    print(f"\n{condition}:")
    for method in ("backprop", "cdni"):
        per_sweep, per_loop, agree = measure(data, method, repeats)
        sweep_s, loop_s = list(per_sweep.sum(axis=1)), list(per_loop.sum(axis=1))
        ratios = [l / s for s, l in zip(sweep_s, loop_s)]
        verdict = "within" if statistics.median(sweep_s) < BUDGET[method] else "OVER"
        print(f"  {method:<9} sweep {spread(sweep_s)}  [{verdict} the {BUDGET[method]:.0f} s budget]")
        print(f"  {'':<9} loop  {spread(loop_s)}")
        print(f"  {'':<9} speed-up {statistics.median(ratios):.1f}x (min {min(ratios):.1f}, max {max(ratios):.1f}); "
              f"same epochs to 99% for all {len(ALPHAS) * len(BATCH_SIZES)} settings: {'yes' if agree else 'NO'}")
        by_batch = ", ".join(f"{b}: {np.median(per_sweep[:, i]):.2f} s vs {np.median(per_loop[:, i]):.2f} s "
                             f"({np.median(per_loop[:, i] / per_sweep[:, i]):.1f}x)"
                             for i, b in enumerate(BATCH_SIZES))
        print(f"  {'':<9} per batch size, sweep vs loop (median): {by_batch}")
        # Every setting does the same arithmetic per epoch (each network sees the 100 sums once);
        # the batch-100 group does it with the fewest numpy calls. Six times its time is about
        # the least any exact stacked sweep of these settings can take, overhead aside.
        floor = len(BATCH_SIZES) * np.median(per_sweep[:, BATCH_SIZES.index(len(data))])
        print(f"  {'':<9} the same arithmetic in the fewest calls (the whole-data group's time x "
              f"{len(BATCH_SIZES)}): {floor:.2f} s, so no stacked sweep gains much more than "
              f"{statistics.median(loop_s) / floor:.1f}x over this loop")


def main(repeats=3):
    from benchmark import competing_load  # the same two busy processes as the main benchmark

    data = dc.addition_data(bits=8, n_examples=100, seed=0)
    print(f"Sweep: {len(ALPHAS)} learning rates x {len(BATCH_SIZES)} batch sizes {BATCH_SIZES} x {EPOCHS} epochs, "
          f"8-bit task; {repeats} repeats, median (min, max); one BLAS thread")
    report("as the machine is (other users' work included)", data, repeats)
    with competing_load() as pids:
        report(f"with two busy processes of ours competing (pids {', '.join(map(str, pids))})", data, repeats)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    main(parser.parse_args().repeats)
