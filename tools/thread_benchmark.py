"""Real parallel layers on this machine: two threads, one per part of the network, against backprop.

Notebook 06 simulates one device per layer; this script measures what real threads do on the
course's 2-core machine. The network is 16-W-W-8 on the 8-bit task (100 sums, batch 10).

- backprop, one BLAS thread (how the course runs), alpha 0.5 x 64 / W;
- backprop, two BLAS threads (numpy's matrix products use both cores);
- decoupled, two threads: thread 1 owns layer 1 and a cDNI generator and never waits for the
  layers above; thread 2 owns layers 2 and 3, trains them by backprop on what thread 1 hands
  it, and sends the gradient at layer 1's output back as the generator's target, which
  arrives late (the generator learns from whatever has arrived). One BLAS thread each.

Prints seconds per epoch (median, min, max over repeats, the three taking turns), the speed-up
over each backprop, and the training bit accuracy each reaches after the same epochs.
Usage: .venv/bin/python tools/thread_benchmark.py [--widths 64 256 1024] [--epochs 20] [--repeats 3] [--load]
"""
import argparse
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dni_course as dc  # noqa: E402
from dni_course.training import backprop_step, batches  # noqa: E402

BATCH = 10


def alpha_for(width):
    """0.5 for the course's width 64, smaller for wider layers (the loss sums over more units below)."""
    return 0.5 * 64 / width


def gen_alpha_for(width):
    """The generator's rate, 0.03 at width 64, scaled down with its input size to stay stable."""
    return 0.03 * 64 / width


def backprop(net, x, y, epochs, alpha):
    for _ in range(epochs):
        for s in batches(len(x), BATCH):
            backprop_step(net, [], x[s], y[s], alpha, 0.0)


def decoupled(net, x, y, epochs, alpha):
    """Layer 1 (with a cDNI generator) in this thread, layers 2-3 in another."""
    first, second, third = net.layers
    gen = dc.SyntheticGradient(first.weights.shape[1], y.shape[1], net.dtype)
    up, down = queue.Queue(maxsize=2), queue.Queue()
    kept = {}  # batch number -> (h, labels) the generator saw, until its target arrives

    def upper():
        np.seterr(over="ignore", under="ignore")  # numpy's error state is per thread
        while True:
            item = up.get()
            if item is None:
                return
            number, h, labels = item
            out = third.forward(second.forward(h))
            grad = second.backward(third.backward(out - labels))  # dLoss/dh, through the weights before the update
            third.update(alpha)
            second.update(alpha)
            down.put((number, grad))

    worker = threading.Thread(target=upper)
    worker.start()
    number = 0
    for _ in range(epochs):
        for s in batches(len(x), BATCH):
            h = first.forward(x[s])
            first.backward(gen.predict(h, y[s]), need_input_grad=False)
            first.update(alpha)
            kept[number] = (h, y[s])
            up.put((number, h, y[s]))
            number += 1
            while True:  # learn from every target that has arrived, without waiting for more
                try:
                    done, target = down.get_nowait()
                except queue.Empty:
                    break
                gen.predict(*kept.pop(done))
                gen.learn(target, gen_alpha_for(first.weights.shape[1]))
    up.put(None)
    worker.join()


def run(kind, width, data, epochs):
    net = dc.Network.create((16, width, width, 8), seed=0)
    x, y = net.check_input(data.x), data.y.astype(net.dtype)
    start = time.perf_counter()
    with np.errstate(over="ignore", under="ignore"):
        if kind == "backprop, 2 BLAS threads":
            with threadpool_limits(limits=2, user_api="blas"):
                backprop(net, x, y, epochs, alpha_for(width))
        elif kind == "backprop, 1 BLAS thread":
            backprop(net, x, y, epochs, alpha_for(width))
        else:
            decoupled(net, x, y, epochs, alpha_for(width))
    seconds = (time.perf_counter() - start) / epochs
    return seconds, dc.evaluate(net, data)["bit_accuracy"]


KINDS = ("backprop, 1 BLAS thread", "backprop, 2 BLAS threads", "decoupled, 2 threads")


def measure(widths, epochs, repeats):
    data = dc.addition_data(bits=8, n_examples=100, seed=0)
    for width in widths:
        times = {k: [] for k in KINDS}
        accuracy = {}
        for _ in range(repeats):
            for kind in KINDS:
                seconds, accuracy[kind] = run(kind, width, data, epochs)
                times[kind].append(seconds)
        print(f"  16-{width}-{width}-8:")
        for kind in KINDS:
            t = times[kind]
            line = (f"    {kind:<26}{statistics.median(t) * 1e3:8.2f} ms/epoch (min {min(t) * 1e3:.2f}, "
                    f"max {max(t) * 1e3:.2f}); bit accuracy after {epochs} epochs {accuracy[kind]:.2f}")
            if kind.startswith("decoupled"):
                for base in KINDS[:2]:
                    ratios = [b / d for b, d in zip(times[base], t)]
                    line += f"\n{'':<30}vs {base}: {statistics.median(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})"
            print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--load", action="store_true", help="also measure with two busy processes of ours competing")
    args = parser.parse_args()
    print(f"Batch {BATCH}, alpha 0.5 x 64 / width (generator 0.03 x 64 / width), {args.epochs} epochs, {args.repeats} repeats, median (min, max)")
    print("as the machine is (other users' work included):")
    measure(args.widths, args.epochs, args.repeats)
    if args.load:
        load = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
        try:
            print(f"with two busy processes of ours competing (pids {', '.join(str(p.pid) for p in load)}):")
            measure(args.widths, args.epochs, args.repeats)
        finally:
            for process in load:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
