"""Old package against new, side by side: the time of a training step and of an explorer's release.

Issue 17 moved the argument checks beside the code they guard and made every task describe itself
(dni_course.task.Task). This measures that the training loop did not get slower for it:

1. microseconds per batch step of ``dc.train`` on the 8-bit task (100 sums, batch 10, the notebooks'
   16-64-32-8 network), for backprop and cDNI: one run of 30 epochs (300 steps, and the scores after
   each epoch, as train records them) is one sample;
2. seconds from a new alpha to the redrawn figure in notebook 02's explorer (300 epochs of backprop).

The old package is a copy of ``dni_course`` at the last commit, made with
``git archive HEAD dni_course | tar -x -C OLD`` (read-only). Each package runs in a worker process
of its own, both alive for the whole run, and the samples alternate old, new, old, new, so that
a change in the machine's load falls on both. Prints median and min-max per package, and new/old.

Usage: .venv/bin/python tools/structure_benchmark.py OLD_PARENT_DIR [rounds]   (OLD_PARENT_DIR holds dni_course/)
"""
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import dni_course as dc
from dni_course import widgets

data = dc.addition_data(8, 100, seed=0)
test = dc.held_out_data(data, 1000)
explorer = None

def step(method):
    net = dc.Network.create((16, 64, 32, 8), seed=0)
    start = time.perf_counter()
    history = dc.train(net, data, method=method, alpha=0.5, batch_size=10, epochs=30)
    return (time.perf_counter() - start) / (30 * 10) * 1e6  # microseconds per batch step

def release(alpha):
    global explorer
    if explorer is None:
        explorer = widgets.training_explorer(data, test, method="backprop", alpha=1.0, batch_size=10, epochs=300)
    start = time.perf_counter()
    explorer.alpha.value = alpha  # the slider's release: retrain and redraw
    assert explorer.result is not None
    return time.perf_counter() - start

print(json.dumps(dc.__file__), flush=True)
for line in sys.stdin:
    what, arg = line.split()
    value = step(arg) if what == "step" else release(float(arg))
    print(json.dumps(value), flush=True)
"""


class Worker:
    def __init__(self, parent):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, str(parent)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd="/", env=env)
        self.package = json.loads(self.process.stdout.readline())

    def ask(self, what, arg):
        self.process.stdin.write(f"{what} {arg}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def summary(values, unit, digits):
    return (f"median {statistics.median(values):.{digits}f} {unit} "
            f"(min {min(values):.{digits}f}, max {max(values):.{digits}f}, n={len(values)})")


def main():
    old_parent = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    print("load average:", " ".join(f"{v:.2f}" for v in os.getloadavg()))
    workers = {"old": Worker(old_parent), "new": Worker(ROOT)}
    for name, worker in workers.items():
        print(f"{name}: {worker.package}")
    try:
        for what, args, unit, digits, count in (("step", ["backprop", "cdni"], "us/step", 1, rounds),
                                                ("release", ["0.5"], "s", 3, max(5, rounds // 2))):
            for arg in args:
                samples = {"old": [], "new": []}
                for name, worker in workers.items():  # warm-up, not counted
                    worker.ask(what, arg)
                for i in range(count):
                    order = ("old", "new") if i % 2 == 0 else ("new", "old")
                    for name in order:
                        value = arg if what == "step" else (0.5 if i % 2 else 0.7)  # a new alpha each release
                        samples[name].append(workers[name].ask(what, value))
                label = f"{what} {arg}" if what == "step" else "explorer release (02, backprop, 300 epochs)"
                print(label)
                for name in ("old", "new"):
                    print(f"  {name}: {summary(samples[name], unit, digits)}")
                ratio = statistics.median(samples["new"]) / statistics.median(samples["old"])
                print(f"  new/old (medians): {ratio:.3f}")
    finally:
        for worker in workers.values():
            worker.close()
    print("load average:", " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
