"""Print the measured numbers behind dc.train's options and notebook 07, with their spread over seeds.

Usage: python tools/measure_claims.py [addition] [digits]   (both when none is named)

addition: the 8-bit task (16-64-32-8 sigmoid, 100 sums, batch 10), seeds 0-2: trap 3
          (send_down), the output-only control, late generator targets, layers that update
          every few batches (update_every), MLP vs linear DNI.
digits:   notebook 07's settings (64-wide ReLU layers, softmax, batch 16, alpha 0.003,
          generator alpha 0.02): held-out accuracy at 3 to 6 layers after 15 and 45 epochs
          (its depth section), seeds 0-2 as in the notebook and 0-7, and the settings its
          "Try it" answers quote.
A few minutes on an idle 2-core machine; each line says what it ran.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dni_course as dc  # noqa: E402

SEEDS = range(3)


def spread(values, fmt="{:.3f}"):
    values = np.asarray(values, dtype=float)
    return f"median {fmt.format(np.median(values))} (min {fmt.format(values.min())}, max {fmt.format(values.max())})"


def addition():
    data = dc.addition_data(bits=8, n_examples=100, seed=0)

    def run(method, alpha, epochs, seed, **options):
        net = dc.Network.create((16, 64, 32, 8), seed=seed)
        return dc.train(net, data, method=method, alpha=alpha, batch_size=10, epochs=epochs, stop_at=0.99, **options)

    def report(label, histories):
        reached = [h.epochs_to(0.99) for h in histories]
        best = [h.series("bit_accuracy").max() for h in histories]
        final = [h.final()["bit_accuracy"] for h in histories]
        print(f"{label:<52} epochs to 99%: {reached}  final bits {spread(final)}  best {spread(best)}")

    print("8-bit addition, seeds 0-2")
    report("cDNI alpha 1, send_down='before', 400 epochs", [run("cdni", 1.0, 400, s) for s in SEEDS])
    report("cDNI alpha 1, send_down='after', 400 epochs",
           [run("cdni", 1.0, 400, s, send_down="after") for s in SEEDS])
    for alpha in (1.0, 0.1):
        report(f"output_only alpha {alpha:g}, 300 epochs", [run("output_only", alpha, 300, s) for s in SEEDS])
    for delay in (1, 10, 50):
        report(f"cDNI alpha 1, target_delay {delay}, 400 epochs",
               [run("cdni", 1.0, 400, s, target_delay=delay) for s in SEEDS])
    for every in ((1, 2, 1), (1, 3, 1), (3, 1, 1), (1, 1, 3)):
        report(f"cDNI alpha 1, update_every {every}, target_delay 1, 400 epochs",
               [run("cdni", 1.0, 400, s, update_every=every, target_delay=1) for s in SEEDS])
    report("DNI alpha 0.3, gen_alpha 0.1, MLP generator, 2000 epochs",
           [run("dni", 0.3, 2000, s, generator="mlp", gen_alpha=0.1) for s in SEEDS])
    report("DNI alpha 0.3, gen_alpha 0.1, linear generator, 2000 epochs",
           [run("dni", 0.3, 2000, s, gen_alpha=0.1) for s in SEEDS])


def digits():
    train, test = dc.digits.load_digits_data(seed=0)
    settings = dict(alpha=0.003, batch_size=16, epochs=15, gen_alpha=0.02)
    depth_epochs = 45  # notebook 07's DEPTH_EPOCHS
    percent = "{:.1%}"

    def histories(method, depth, seeds=SEEDS, **changes):
        """One History per seed, or the TrainingDiverged error where a run diverged."""
        runs = []
        for seed in seeds:
            net = dc.Network.create((64,) + (64,) * (depth - 1) + (10,), seed=seed, init="he", bias=True,
                                    activation="relu", output="softmax")
            try:
                runs.append(dc.train(net, train, test=test, method=method, **{**settings, **changes}))
            except dc.TrainingDiverged as error:
                runs.append(error)
        return runs

    def at(runs, epoch):
        """Held-out accuracy of each run after `epoch` epochs (NaN for a diverged run)."""
        return [float("nan") if isinstance(h, Exception) else h.series("accuracy", "test")[epoch - 1]
                for h in runs]

    print(f"8x8 digits, notebook 07's settings, held-out accuracy; the depth runs last {depth_epochs} epochs")
    for depth in (3, 4, 5, 6):
        for method in ("backprop", "dni", "cdni"):
            runs = histories(method, depth, seeds=range(8), epochs=depth_epochs)
            print(f"{depth} layers {method:<9} seeds 0-2 after 15 epochs {spread(at(runs[:3], 15), percent)}, "
                  f"after {depth_epochs} {spread(at(runs[:3], depth_epochs), percent)}")
            print(f"{'':<19}seeds 0-7 after {depth_epochs} epochs {spread(at(runs, depth_epochs), percent)}: "
                  + " ".join(f"{a:.1%}" for a in at(runs, depth_epochs)))
    for hidden in (128, 256):
        runs = histories("dni", 3, generator="mlp", gen_hidden=hidden)
        print(f"3 layers DNI, MLP generator of {hidden}, 15 epochs: {spread(at(runs, 15), percent)}")
    for depth in (3, 6):
        for method in ("dni", "cdni"):
            runs = histories(method, depth, alpha=0.001, epochs=depth_epochs)
            print(f"{depth} layers {method}, alpha 0.001, {depth_epochs} epochs: "
                  f"{spread(at(runs, depth_epochs), percent)}")
    (run,) = histories("dni", 6, seeds=[0], alpha=0.001, epochs=90)
    print("6 layers dni, alpha 0.001, 90 epochs, seed 0:",
          run if isinstance(run, Exception) else f"{run.final('test')['accuracy']:.1%}, did not diverge")


if __name__ == "__main__":
    chosen = sys.argv[1:] or ["addition", "digits"]
    for name in chosen:
        {"addition": addition, "digits": digits}[name]()
