"""Print the measured numbers behind dc.train's options and notebook 07, with their spread over seeds.

Usage: python tools/measure_claims.py [addition] [digits]   (both when none is named)

addition: the 8-bit task (16-64-32-8 sigmoid, 100 sums, batch 10), seeds 0-2: trap 3
          (send_down), the output-only control, late generator targets, MLP vs linear DNI.
digits:   notebook 07's settings (64-wide ReLU layers, softmax, batch 16, alpha 0.003,
          generator alpha 0.02, 15 epochs), seeds 0-2: held-out accuracy at 3 to 6 layers,
          and the settings its "Try it" answers quote.
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
    report("DNI alpha 0.3, gen_alpha 0.1, MLP generator, 2000 epochs",
           [run("dni", 0.3, 2000, s, generator="mlp", gen_alpha=0.1) for s in SEEDS])
    report("DNI alpha 0.3, gen_alpha 0.1, linear generator, 2000 epochs",
           [run("dni", 0.3, 2000, s, gen_alpha=0.1) for s in SEEDS])


def digits():
    train, test = dc.digits.load_digits_data(seed=0)
    settings = dict(alpha=0.003, batch_size=16, epochs=15, gen_alpha=0.02)

    def held_out(method, depth, **changes):
        accuracies = []
        for seed in SEEDS:
            net = dc.Network.create((64,) + (64,) * (depth - 1) + (10,), seed=seed, init="he", bias=True,
                                    activation="relu", output="softmax")
            try:
                history = dc.train(net, train, test=test, method=method, **{**settings, **changes})
                accuracies.append(history.final("test")["accuracy"])
            except dc.TrainingDiverged:
                accuracies.append(float("nan"))
        return accuracies

    print("8x8 digits, notebook 07's settings, held-out accuracy, seeds 0-2")
    for depth in (3, 4, 5, 6):
        for method in ("backprop", "dni", "cdni"):
            print(f"{depth} layers {method:<9} {spread(held_out(method, depth), '{:.1%}')}")
    print(f"3 layers DNI, MLP generator of 128: {spread(held_out('dni', 3, generator='mlp', gen_hidden=128), '{:.1%}')}")
    print(f"3 layers DNI, MLP generator of 256: {spread(held_out('dni', 3, generator='mlp', gen_hidden=256), '{:.1%}')}")
    for method in ("dni", "cdni"):
        print(f"6 layers {method}, alpha 0.001, 20 epochs: "
              f"{spread(held_out(method, 6, alpha=0.001, epochs=20), '{:.1%}')}")


if __name__ == "__main__":
    chosen = sys.argv[1:] or ["addition", "digits"]
    for name in chosen:
        {"addition": addition, "digits": digits}[name]()
