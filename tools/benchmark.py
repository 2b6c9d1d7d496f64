"""Measure what the course promises, on this machine, and print it.

1. microseconds per training step of our baseline (batch 10, 24-128-64-12 network), next to
   the post's formulation of the same step (float64, same matmuls, written here);
2. epochs and seconds each method needs to reach 99% training bit accuracy on the post's DNI
   task (8 bits, 100 examples) at the notebooks' default settings;
3. the median time from a new slider value to the redrawn figure, per explorer;
4. the time to run every notebook on a fresh kernel (the whole course).

Usage: .venv/bin/python tools/benchmark.py      (about a minute)
"""
import ast
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import dni_course as dc
from dni_course.training import backprop_step

ROOT = Path(__file__).resolve().parent.parent


def post_formulation_step(x, y, w01, w12, w23, alpha):
    """One batch as the post writes it, temporaries and all (dc.baseline keeps the post's
    arithmetic but with our in-place sigmoid, so it is not the reference for speed)."""
    l1 = 1 / (1 + np.exp(-(x.dot(w01))))
    l2 = 1 / (1 + np.exp(-(l1.dot(w12))))
    l3 = 1 / (1 + np.exp(-(l2.dot(w23))))
    d3 = (l3 - y) * l3 * (1 - l3)
    d2 = d3.dot(w23.T) * l2 * (1 - l2)
    d1 = d2.dot(w12.T) * l1 * (1 - l1)
    w01 -= x.T.dot(d1) * alpha
    w12 -= l1.T.dot(d2) * alpha
    w23 -= l2.T.dot(d3) * alpha


def matrix_products_only(x, y, w01, w12, w23):
    """The eight matrix products of one step and nothing else: a floor for any numpy step."""
    l1 = x.dot(w01)
    l2 = l1.dot(w12)
    l3 = l2.dot(w23)
    d2 = l3.dot(w23.T)
    d1 = d2.dot(w12.T)
    x.T.dot(d1), l1.T.dot(d2), l2.T.dot(l3)


def microseconds(*steps, repeats=30, n=300):
    """Best time per call of each step, in microseconds. The steps take turns, so a burst of
    load from elsewhere on the machine hits all of them alike."""
    best = [float("inf")] * len(steps)
    for _ in range(repeats):
        for i, step in enumerate(steps):
            start = time.perf_counter()
            for _ in range(n):
                step()
            best[i] = min(best[i], (time.perf_counter() - start) / n * 1e6)
    return best


def step_speed():
    data = dc.addition_data(bits=12, n_examples=1000, seed=0)
    x, y = data.x[:10], data.y[:10]
    net = dc.Network.create([24, 128, 64, 12], seed=0)
    x32, y32 = x.astype(net.dtype), y.astype(net.dtype)
    w = dc.baseline.script_weights([24, 128, 64, 12], np.random.RandomState(0))
    w32 = [layer.weights for layer in net.layers]
    h2 = np.ones((10, 64), net.dtype)  # a hidden layer's activations: the size of most elementwise calls
    ours, theirs, floor, one_call = microseconds(lambda: backprop_step(net, [], x32, y32, 0.1, 0.0),
                                                 lambda: post_formulation_step(x, y, *w, 0.1),
                                                 lambda: matrix_products_only(x32, y32, *w32),
                                                 lambda: np.multiply(h2, h2, out=h2))
    room = theirs / 2 - floor
    print(f"1. training step, batch 10, 24-128-64-12: ours {ours:.1f} us ({net.dtype}), "
          f"post's formulation {theirs:.1f} us (float64), ratio {theirs / ours:.2f}x\n"
          f"   (its eight matrix products alone, in {net.dtype}: {floor:.1f} us; one in-place elementwise\n"
          f"   numpy call on 10 x 64 values: {one_call:.2f} us, so a step twice as fast as the post's leaves\n"
          f"   {room:.1f} us after the products: {max(room, 0) / one_call:.0f} such calls, with no Python in between)")


def time_to_99():
    train = dc.addition_data(bits=8, n_examples=100, seed=0)
    print("2. time to 99% training bit accuracy, 8 bits, 100 examples, batch 10, 16-64-32-8:")
    for method, alpha in (("backprop", 1.0), ("dni", 0.1), ("cdni", 1.0)):
        runs = []
        for _ in range(3):
            net = dc.Network.create([16, 64, 32, 8], seed=0)
            runs.append(dc.train(net, train, method=method, alpha=alpha, batch_size=10, epochs=3000, stop_at=0.99))
        h = runs[0]
        seconds = statistics.median(r.seconds for r in runs)
        reached = h.epochs_to(0.99)
        result = f"{reached} epochs, {seconds:.2f} s" if reached else \
            f"not reached in 3000 epochs ({h.final()['bit_accuracy']:.0%} bit accuracy, {seconds:.2f} s)"
        print(f"   {method:<9} alpha {alpha:<4}: {result}")


def notebook_explorer(path):
    """Run a notebook's code in this process up to the cell that makes its explorer and return
    that explorer, so the benchmark measures exactly what the notebook shows."""
    namespace = {"__name__": "__notebook__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(line for line in cell["source"] if not line.startswith("%"))  # no magics
            if "training_explorer(" not in source:
                exec(compile(source, path.name, "exec"), namespace)
                continue
            *statements, last = ast.parse(source).body
            exec(compile(ast.Module(statements, type_ignores=[]), path.name, "exec"), namespace)
            return eval(compile(ast.Expression(last.value), path.name, "eval"), namespace)
    raise ValueError(f"{path.name} makes no explorer")


def slider_response():
    notebooks = [p for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")) if "training_explorer(" in p.read_text()]
    print("3. slider response (new alpha value -> redrawn figure), median of 5, each notebook's explorer:")
    for path in notebooks:
        explorer = notebook_explorer(path)
        default = explorer.alpha.value
        times = []
        for value in (default / 2, default, default / 2, default, default / 2):
            start = time.perf_counter()
            explorer.alpha.value = value
            times.append(time.perf_counter() - start)
        print(f"   {path.stem:<26}: {statistics.median(times):.2f} s")


def whole_course():
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "tools" / "run_notebooks.py"), "--check"], check=True,
                   stderr=subprocess.DEVNULL)
    print(f"4. whole course, every notebook on a fresh kernel: {time.perf_counter() - start:.1f} s")


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores; Python {sys.version.split()[0]}, numpy {np.__version__}"


if __name__ == "__main__":
    print(machine())
    step_speed()
    time_to_99()
    slider_response()
    whole_course()
