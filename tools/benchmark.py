"""Measure what the course promises, on this machine, and print it.

1. microseconds per training step of our baseline (batch 10, 24-128-64-12 network), next to
   the post's formulation of the same step (float64, same matmuls, written here), and the
   bound on how fast any numpy step can be;
2. epochs and seconds each method needs to reach 99% training bit accuracy on the post's DNI
   task (8 bits, 100 examples) at the notebooks' default settings;
3. per explorer (02-05, 06's delay explorer, 09), the time from a slider release to the redrawn
   figure, split into training and drawing (figure and PNG): median (min-max) of 7 releases at
   the notebook's settings (alpha moved between its value and half of it; 06: the delay between
   10 and 5), whether the targets are met (under 0.3 s idle, 0.45 s under load), the drawing
   time when the figure's frame is new (none kept: ``plots.QuickPicture``), and the slowest
   setting offered (batch 1; 06: the largest delay);
4. per notebook, Run All on a fresh kernel (kernel start-up not counted);
5. the sweep of notebook 08 (many networks at once) against a loop of ``dc.train``
   (tools/sweep_benchmark.py).

3 and 4 are measured twice: on the machine as it is ("idle"), and under a competing load the
benchmark starts itself: two busy processes, one per core, as on a shared Binder node. They are
ended by their process ids when done. Other work on the machine adds to both: look at the load
average printed first.

Usage: .venv/bin/python tools/benchmark.py [step] [sliders] [notebooks] [sweep]   (default: all; a few minutes)
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

import nbformat
import numpy as np
from nbclient import NotebookClient
from threadpoolctl import threadpool_info

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


EXPLORERS = ("training_explorer(", "DelayExplorer(")  # the calls that make a notebook's explorer
TARGETS = {"idle": 0.3, "under load": 0.45}  # seconds from slider release to new figure (median)


def notebook_explorer(path):
    """Run a notebook's code in this process up to the cell that makes its explorer and return
    that explorer, so the benchmark measures exactly what the notebook shows."""
    namespace = {"__name__": "__notebook__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(line for line in cell["source"] if not line.startswith("%"))  # no magics
            if not any(call in source for call in EXPLORERS):
                exec(compile(source, path.name, "exec"), namespace)
                continue
            *statements, last = ast.parse(source).body
            exec(compile(ast.Module(statements, type_ignores=[]), path.name, "exec"), namespace)
            return eval(compile(ast.Expression(last.value), path.name, "eval"), namespace)
    raise ValueError(f"{path.name} makes no explorer")


def spread(times):
    return f"{statistics.median(times):.2f} ({min(times):.2f}-{max(times):.2f})"


def controls(explorer):
    """The slider a release moves, the values it moves between, and the slowest setting:
    (control, its value there)."""
    if isinstance(explorer, dc.devices.DelayExplorer):
        default = explorer.slider.value
        return explorer.slider, (max(default // 2, 0), default), (explorer.slider, explorer.slider.max)
    default = explorer.alpha.value
    return explorer.alpha, (default / 2, default), (explorer.batch_size, explorer.batch_size.options[0])


def release(control, value, explorer):
    """Move ``control`` to ``value``: seconds until the new figure is in place, and the
    explorer's own split of them into training and drawing."""
    start = time.perf_counter()
    control.value = value
    return time.perf_counter() - start, explorer.timings["train"], explorer.timings["draw"]


def slider_response(explorers, condition):
    """Seven releases per explorer, then a new frame and the slowest setting."""
    missed = []
    for name, explorer in explorers.items():
        control, (moved, default), (slow_control, slowest) = controls(explorer)
        releases = [release(control, moved if i % 2 == 0 else default, explorer) for i in range(7)]
        total, trained, drawn = zip(*releases)
        met = statistics.median(total) < TARGETS[condition]
        if not met:
            missed.append(name)
        new_frame = []
        for i in range(3):  # the frame drawn anew: what a release with a never seen frame costs
            explorer._quick.frames.clear()
            new_frame.append(release(control, default if i % 2 == 0 else moved, explorer)[2])
        control.value = default
        slow_default = slow_control.value
        slow = []
        for _ in range(3):
            slow.append(release(slow_control, slowest, explorer)[0])
            slow_control.value = slow_default
        print(f"   {name:<24} release {spread(total)} s = training {spread(trained)} + drawing {spread(drawn)}; "
              f"< {TARGETS[condition]} s: {'met' if met else 'NOT MET'}\n"
              f"   {'':<24} drawing with a new frame {spread(new_frame)} s; slowest setting "
              f"({getattr(slow_control, 'description', '')} {slowest}): {spread(slow)} s")
    print(f"   targets ({condition}, median under {TARGETS[condition]} s): "
          + ("met by every explorer" if not missed else f"NOT MET by {', '.join(missed)}"))


def run_all(path):
    """Seconds for every cell of a notebook on a fresh kernel, as Run All (kernel start not counted)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # no kernel start-up warnings
        pid = client.km.provisioner.process.pid
        start, start_cpu = time.perf_counter(), cpu_seconds(pid)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return time.perf_counter() - start, cpu_seconds(pid) - start_cpu


def cpu_seconds(pid):
    """CPU time a process has used (Linux; NaN elsewhere): the work itself, whatever the load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        return float("nan")


def notebooks_run_all():
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        seconds, cpu = run_all(path)
        print(f"   {path.stem:<26} {seconds:5.1f} s (CPU {cpu:.1f} s)")


@contextlib.contextmanager
def competing_load(n=2):
    """Two processes that keep a core busy each, ended by their ids (never by name). Each also
    stops by itself once this process is gone, should the benchmark be killed."""
    spin = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    pass"
    busy = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(n)]
    try:
        time.sleep(0.5)
        yield [p.pid for p in busy]
    finally:
        for p in busy:
            p.kill()
            p.wait()


def under_both(title, measure):
    """``measure(condition)`` on the machine as it is, then with two busy processes."""
    print(f"{title}, idle (load average {os.getloadavg()[0]:.2f}):")
    measure("idle")
    with competing_load() as pids:
        print(f"{title}, under load (busy processes {pids}; load average {os.getloadavg()[0]:.2f} "
              f"before they started):")
        measure("under load")
    print(f"   load average after: {os.getloadavg()[0]:.2f} (1 min)")


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    blas = [f"{pool['internal_api']} {pool['version']}, {pool['num_threads']} thread(s)"
            for pool in threadpool_info() if pool["user_api"] == "blas"]
    return (f"{cpu}, {os.cpu_count()} cores; Python {sys.version.split()[0]}, numpy {np.__version__}, "
            f"BLAS: {'; '.join(blas)}")


if __name__ == "__main__":
    parts = set(sys.argv[1:]) or {"step", "sliders", "notebooks", "sweep"}
    print(machine())
    print(f"load average before starting: {os.getloadavg()[0]:.2f} (1 min)")
    if "step" in parts:
        step_speed()
        time_to_99()
    if "sliders" in parts:
        notebooks = [p for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
                     if any(call in p.read_text() for call in EXPLORERS)]
        explorers = {p.stem: notebook_explorer(p) for p in notebooks}
        under_both("3. slider release to new figure, each notebook's explorer at its settings, in seconds "
                   "(median (min-max) of 7 releases; new frame and slowest setting: 3)",
                   lambda condition: slider_response(explorers, condition))
    if "notebooks" in parts:
        under_both("4. Run All, each notebook on a fresh kernel", lambda condition: notebooks_run_all())
    if "sweep" in parts:
        import sweep_benchmark  # tools/sweep_benchmark.py: many networks at once vs a loop of dc.train

        print("5. ", end="")
        sweep_benchmark.main()
