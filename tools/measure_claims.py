"""Print the measured numbers behind dc.train's options and notebook 07, with their spread over seeds.

Usage: python tools/measure_claims.py [addition] [digits] [landscape] [devices]   (all when none is named)

addition: the 8-bit task (16-64-32-8 sigmoid, 100 sums, batch 10), seeds 0-2: trap 3
          (send_down), the output-only control, late generator targets, layers that update
          every few batches (update_every), MLP vs linear DNI.
digits:   notebook 07's settings (64-wide ReLU layers, softmax, batch 16, alpha 0.003,
          generator alpha 0.02): held-out accuracy at 3 to 6 layers after 15 and 45 epochs
          (its depth section, with the output-only control), seeds 0-2 as in the notebook and
          0-7; dead ReLU units per hidden layer at 6 layers; linear CKA against backprop at
          matched accuracy; 100 epochs at each method's own step size; and the settings its
          "Try it" answers quote.
landscape: notebook 08's map over seeds 0-2, each seed's grid, and cDNI with gen_alpha 0.1.
devices:  notebook 06's device-time gains over seeds 0-2, with a slow layer, expensive
          generators and on-time generator targets.
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
    depth_epochs = 45  # notebook 07's Try it answers (its depth table uses 36 epochs and prints its own)
    percent = "{:.1%}"

    def over_runs(values, fmt="{:.3f}"):
        """spread() over the runs that did not diverge (NaN), and how many did."""
        values = np.asarray(values, dtype=float)
        diverged = int(np.isnan(values).sum())
        if diverged == len(values):
            return "all diverged"
        return spread(values[~np.isnan(values)], fmt) + (f", {diverged} diverged" if diverged else "")

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

    def hidden(net, layer):
        net.predict(test.x)
        return net.layers[layer].output

    print(f"8x8 digits, notebook 07's settings, held-out accuracy; the depth runs last {depth_epochs} epochs")
    deep = {}
    for depth in (3, 4, 5, 6):
        for method in ("backprop", "output_only", "dni", "cdni"):
            runs = deep[method, depth] = histories(method, depth, seeds=range(8), epochs=depth_epochs)
            print(f"{depth} layers {method:<11} seeds 0-2 after 15 epochs {over_runs(at(runs[:3], 15), percent)}, "
                  f"after {depth_epochs} {over_runs(at(runs[:3], depth_epochs), percent)}")
            print(f"{'':<21}seeds 0-7 after {depth_epochs} epochs {over_runs(at(runs, depth_epochs), percent)}: "
                  + " ".join(f"{a:.1%}" for a in at(runs, depth_epochs)))

    print(f"6 layers, {depth_epochs} epochs, seeds 0-7: fraction of dead ReLU units (off for every held-out "
          "image) per hidden layer, lowest first; output_only shows the random start (its hidden layers never "
          "change)")
    for method in ("backprop", "output_only", "dni", "cdni"):
        dead = np.array([[np.mean(np.all(hidden(h.net, i) == 0, axis=0)) for i in range(5)]
                         for h in deep[method, 6] if not isinstance(h, Exception)])
        print(f"  {method:<12}" + "  ".join(f"layer {i + 1} {over_runs(dead[:, i], '{:.2f}')}" for i in range(5)))
    readout = []  # the output layer alone again, on DNI's final hidden layers: are its features still there?
    for seed, h in enumerate(deep["dni", 6]):
        if isinstance(h, Exception):
            continue
        start = dc.Network.create((64,) + (64,) * 5 + (10,), seed=seed, init="he", bias=True, activation="relu",
                                  output="softmax").layers[-1]
        h.net.layers[-1].weights[...] = start.weights  # the output layer back at its start, as in output_only
        h.net.layers[-1].bias[...] = start.bias
        again = dc.train(h.net, train, test=test, method="output_only", **{**settings, "epochs": depth_epochs})
        readout.append(again.final("test")["accuracy"])
    print(f"6 layers: the output layer alone, {depth_epochs} epochs from its start on DNI's final hidden layers: "
          f"{over_runs(readout, percent)}; on the random start (output_only above): "
          f"{over_runs(at(deep['output_only', 6], depth_epochs), percent)}")

    print("3 layers, 15 epochs: linear CKA of a hidden layer (held-out images) with the same layer of backprop's "
          "seed 0; 'matched' is backprop from the same seed stopped at the method's accuracy")
    runs = {method: histories(method, 3, seeds=range(8)) for method in ("backprop", "dni", "cdni")}
    for layer in (0, 1):
        reference = hidden(runs["backprop"][0].net, layer)

        def cka(net):
            return dc.digits.linear_cka(reference, hidden(net, layer))

        print(f"  hidden layer {layer + 1}, seeds 1-7: backprop, 15 epochs "
              f"{over_runs([cka(h.net) for h in runs['backprop'][1:]])}")
        for method in ("dni", "cdni"):
            own, by_train, by_test = [], [], []
            for seed in range(1, 8):
                h = runs[method][seed]
                own.append(cka(h.net))
                # matched on training accuracy (stop_at, as in the notebook)
                (stopped,) = histories("backprop", 3, seeds=[seed], stop_at=h.final()["accuracy"])
                by_train.append(cka(stopped.net))
                # matched on held-out accuracy: the first epoch backprop's held-out accuracy reaches the method's
                curve = runs["backprop"][seed].series("accuracy", "test")
                reached = np.flatnonzero(curve >= h.final("test")["accuracy"])
                if reached.size:
                    (stopped,) = histories("backprop", 3, seeds=[seed], epochs=int(reached[0]) + 1)
                    by_test.append(cka(stopped.net))
                else:
                    by_test.append(float("nan"))
            own, by_train, by_test = map(np.array, (own, by_train, by_test))
            print(f"    {method:<5} {over_runs(own)}; backprop matched on training accuracy {over_runs(by_train)}, "
                  f"on held-out {over_runs(by_test)}")
            print(f"    {'':<5} paired differences {method} - matched backprop, training: "
                  + " ".join(f"{d:+.3f}" for d in own - by_train) + "; held-out: "
                  + " ".join(f"{d:+.3f}" for d in own - by_test))

    long_epochs = 100
    print(f"3 layers, {long_epochs} epochs, seeds 0-4, each step size alpha (generator alpha 0.02): "
          "held-out accuracy")
    for method in ("backprop", "dni", "cdni"):
        for alpha in (0.001, 0.003, 0.01, 0.03, 0.1):
            runs = histories(method, 3, seeds=range(5), alpha=alpha, epochs=long_epochs)
            print(f"  {method:<9} alpha {alpha:<6g} "
                  + ", ".join(f"{epoch} epochs {over_runs(at(runs, epoch), percent)}"
                              for epoch in (15, 45, long_epochs)))

    for hidden_units in (128, 256):
        runs = histories("dni", 3, generator="mlp", gen_hidden=hidden_units)
        print(f"3 layers DNI, MLP generator of {hidden_units}, 15 epochs: {over_runs(at(runs, 15), percent)}")
    for depth in (3, 6):
        for method in ("dni", "cdni"):
            runs = histories(method, depth, alpha=0.001, epochs=depth_epochs)
            print(f"{depth} layers {method}, alpha 0.001, {depth_epochs} epochs: "
                  f"{over_runs(at(runs, depth_epochs), percent)}")


def landscape():
    """Notebook 08's map over seeds 0-2, each seed's grid, and its Try it 1 (gen_alpha 0.1)."""
    from dni_course import sweep

    data = dc.addition_data(bits=8, n_examples=100, seed=0)
    alphas, batch_sizes = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0), (10, 20, 50, 100)
    print(f"\nnotebook 08: epochs to 99% per seed, rows batch sizes {batch_sizes}, columns alphas {alphas}")
    for method, gen_alpha in (("backprop", 0.03), ("cdni", 0.03), ("cdni", 0.1)):
        land = sweep.landscape(data, method, alphas, batch_sizes, epochs=300, seeds=SEEDS, gen_alpha=gen_alpha)
        print(f"{method}, gen_alpha {gen_alpha}: every seed reaches 99% in {(land.reached() == 3).sum()} "
              f"settings, at least one in {(land.reached() > 0).sum()}, most runs diverged in {(land.grid() < 0).sum()}")
        for seed, grid in zip(SEEDS, land.grids()):
            print(f"  seed {seed}: " + "; ".join(" ".join("-" if np.isnan(v) else "div" if v < 0 else f"{v:.0f}" for v in row)
                                               for row in grid))


def devices():
    """Notebook 06: device time to 99% against backprop over seeds 0-2, and its Try it 1-2."""
    from dni_course import devices as dv

    data = dc.addition_data(bits=8, n_examples=100, seed=0)
    costs, expensive = dv.layer_costs(3), dv.layer_costs(3, generator=2.0)
    print("\nnotebook 06: device time to 99% as a multiple of backprop's (alpha 1, batch 10), seeds 0-2")
    gains = {}
    for seed in SEEDS:
        options = dict(alpha=1.0, batch_size=10, epochs=600, stop_at=0.99, costs=costs, seed=seed)
        base = dv.device_run(data, "backprop", **options)
        cdni = dv.device_run(data, "cdni", **options)
        on_time = dv.device_run(data, "cdni", target_delay=0, **options)
        for label, run, on in (("cDNI, equal layers", cdni, costs), ("cDNI, generators cost 2 (Try it 1)", cdni, expensive),
                               ("cDNI, target_delay=0 (Try it 2)", on_time, costs)):
            gains.setdefault(label, []).append(base.on(on).time_to(0.99) / run.on(on).time_to(0.99))
        for factor in (2, 4):
            slow = dv.layer_costs(3, slow=2, factor=factor)
            gains.setdefault(f"cDNI, layer 2 {factor}x slower", []).append(base.on(slow).time_to(0.99)
                                                                          / cdni.on(slow).time_to(0.99))
    for label, values in gains.items():
        print(f"{label}: {spread(values, '{:.2f}')}")


if __name__ == "__main__":
    chosen = sys.argv[1:] or ["addition", "digits", "landscape", "devices"]
    for name in chosen:
        {"addition": addition, "digits": digits, "landscape": landscape, "devices": devices}[name]()
