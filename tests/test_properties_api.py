"""Properties of the rest of the public API: devices, sweep, widgets, plots and the exercise checks.

tests/test_properties.py checks that bad input is refused clearly everywhere. These tests
check what good input must give: the science and the contracts, on small random settings
drawn by hypothesis. Each property can fail: a device that does two things at once, a stacked
network that drifts from ``dc.train``, a slider that clamps a value, a check that marks a
wrong answer correct.

Tests marked ``Issue 16 finding: ...`` guard a bug the probe of issue 16 found (fixed in the
package since): they failed before the fix.
"""
import os
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dni_course as dc
from dni_course import devices as dv
from dni_course import plots
from dni_course import sweep as sw
from dni_course import widgets

# derandomize: the same examples on every run (CI cannot turn red by chance). To explore new
# examples while developing: DNI_EXPLORE=1 pytest tests/test_properties_api.py
SETTINGS = settings(max_examples=25, deadline=None, database=None, derandomize=not os.environ.get("DNI_EXPLORE"),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=8)

DATA = dc.addition_data(bits=3, n_examples=10, seed=0)  # 6 inputs, 3 outputs


# ============================================================================ devices

costs_st = st.builds(dv.Costs, st.floats(0.1, 5), st.floats(0.1, 5), st.floats(0.01, 2))


@st.composite
def schedules(draw):
    """A simulate() call: schedule, batch sizes, one Costs per layer and the options that fit."""
    schedule = draw(st.sampled_from(dv.SCHEDULES))
    n_layers = draw(st.integers(1, 4))
    costs = draw(st.lists(costs_st, min_size=n_layers, max_size=n_layers))
    sizes = draw(st.lists(st.integers(1, 20), min_size=1, max_size=6))
    options = dict(unit=draw(st.sampled_from([1, 10, 7.5])))
    if schedule == "backprop":
        options["micro_batches"] = draw(st.integers(1, 4))
    else:
        options["target_delay"] = draw(st.integers(0, 3))
        if draw(st.booleans()):
            options["update_every"] = draw(st.lists(st.integers(1, 3), min_size=n_layers, max_size=n_layers))
    return schedule, sizes, costs, options


def _work(schedule, sizes, costs, options):
    """Time units each device must spend, whatever the order: what its tasks cost."""
    unit, every = options["unit"], options.get("update_every") or [1] * len(costs)
    top = len(costs) - 1
    work = np.zeros(len(costs))
    for d, c in enumerate(costs):
        for b, n in enumerate(sizes):
            work[d] += c.forward * n / unit
            if schedule == "backprop" or b % every[d] == 0:
                work[d] += c.backward * n / unit
            if schedule != "backprop" and d < top:
                work[d] += c.generator / 2 * n / unit  # the guess, on every batch
    return work


@SETTINGS
@given(call=schedules())
def test_a_device_does_one_task_at_a_time_and_its_work_is_conserved(call):
    schedule, sizes, costs, options = call
    t = dv.simulate(schedule, sizes, costs, **options)
    assert t.n_devices == len(costs)
    for d in range(t.n_devices):
        mine = sorted((task for task in t.tasks if task.device == d), key=lambda task: task.start)
        for a, b in zip(mine, mine[1:]):
            assert b.start >= a.end - 1e-9, f"device {d} does {a} and {b} at once"
        assert all(task.end > task.start >= 0 for task in mine)
    assert t.finish == pytest.approx(max(task.end for task in t.tasks))
    busy = t.busy()
    assert ((busy >= 0) & (busy <= 1 + 1e-9)).all()
    # The work each device does (without the generators' learning, whose count depends on the delay)
    # is what its tasks cost: nothing lost, nothing done twice.
    done = np.zeros(t.n_devices)
    for task in t.tasks:
        if task.kind != "learn":
            done[task.device] += task.end - task.start
    np.testing.assert_allclose(done, _work(schedule, sizes, costs, options), rtol=1e-9)
    assert t.finish >= done.max() - 1e-9  # no device can finish before its own work is done


@SETTINGS
@given(call=schedules())
def test_a_task_starts_only_after_the_tasks_it_waits_for(call):
    schedule, sizes, costs, options = call
    t = dv.simulate(schedule, sizes, costs, **options)
    ends = {}
    for task in t.tasks:  # the last end of each (kind, device, batch): micro-batches share a key
        key = (task.kind, task.device, task.batch)
        ends[key] = max(ends.get(key, 0.0), task.end)
    for task in t.tasks:
        below = ends.get(("forward", task.device - 1, task.batch))
        if task.kind == "forward" and task.device > 0 and options.get("micro_batches", 1) == 1:
            assert task.start >= below - 1e-9, f"{task} starts before its input arrived"
        if task.kind == "learn":  # a generator learns from the gradient the layer above sent down
            assert task.start >= ends[("backward", task.device + 1, task.batch)] - 1e-9
        if schedule == "backprop" and task.kind == "backward" and task.device < t.n_devices - 1 \
                and options.get("micro_batches", 1) == 1:
            assert task.start >= ends[("backward", task.device + 1, task.batch)] - 1e-9


@SETTINGS
@given(call=schedules())
def test_plain_backprop_on_one_device_per_layer_is_serial(call):
    """Without micro-batches only one device works at any moment: the time is the sum of all work."""
    _, sizes, costs, options = call
    options = dict(unit=options["unit"])
    t = dv.simulate("backprop", sizes, costs, **options)
    assert t.finish == pytest.approx(_work("backprop", sizes, costs, options).sum())


@SETTINGS
@given(call=schedules(), factors=st.lists(st.floats(1.0, 4.0), min_size=2, max_size=2), slow=st.integers(1, 4))
def test_a_slower_layer_never_makes_the_run_faster(call, factors, slow):
    """Device time to the same batches grows with a slow layer's factor (each task's start is a
    max of earlier ends plus durations, so no duration can shorten the run)."""
    schedule, sizes, costs, options = call
    slow = min(slow, len(costs))
    low, high = sorted(factors)
    timelines = [dv.simulate(schedule, sizes, dv.layer_costs(len(costs), slow=slow, factor=f), **options)
                 for f in (low, high)]
    assert timelines[1].finish >= timelines[0].finish - 1e-9
    assert (np.array(timelines[1].batch_end) >= np.array(timelines[0].batch_end) - 1e-9).all()


@SETTINGS
@given(call=schedules(), scale=st.sampled_from([0.5, 2.0, 8.0]))
def test_the_unit_only_rescales_time(call, scale):
    schedule, sizes, costs, options = call
    a = dv.simulate(schedule, sizes, costs, **options)
    b = dv.simulate(schedule, sizes, costs, **{**options, "unit": options["unit"] * scale})
    assert b.finish == pytest.approx(a.finish / scale)
    np.testing.assert_allclose(b.busy(), a.busy())


@SETTINGS
@given(n_layers=st.integers(1, 6), slow=st.integers(1, 6), factor=st.floats(0.1, 10),
       base=st.tuples(st.floats(0.1, 5), st.floats(0.1, 5), st.floats(0.01, 1)))
def test_layer_costs_slows_exactly_one_layer_by_its_factor(n_layers, slow, factor, base):
    slow = min(slow, n_layers)
    costs = dv.layer_costs(n_layers, *base, slow=slow, factor=factor)
    assert len(costs) == n_layers
    for i, c in enumerate(costs):
        k = factor if i == slow - 1 else 1.0
        assert (c.forward, c.backward, c.generator) == pytest.approx(tuple(v * k for v in base))


@SETTINGS
@given(schedule=st.sampled_from(["dni", "cdni"]), sizes=st.lists(st.integers(1, 12), min_size=1, max_size=8),
       n_layers=st.integers(1, 4), delay=st.integers(0, 3), data=st.data())
def test_update_every_leaves_out_the_skipped_backward_passes(schedule, sizes, n_layers, delay, data):
    every = data.draw(st.lists(st.integers(1, 4), min_size=n_layers, max_size=n_layers))
    t = dv.simulate(schedule, sizes, dv.layer_costs(n_layers), target_delay=delay, update_every=every)
    for d, k in enumerate(every):
        backward = sorted(task.batch for task in t.tasks if task.device == d and task.kind == "backward")
        assert backward == [b for b in range(len(sizes)) if b % k == 0]
        forward = [task.batch for task in t.tasks if task.device == d and task.kind == "forward"]
        assert forward == list(range(len(sizes)))  # every layer still goes forward on every batch


@settings(FEW, max_examples=6)
@given(method=st.sampled_from(dv.SCHEDULES), batch_size=st.integers(2, 10), epochs=st.integers(1, 3),
       n_examples=st.integers(1, 30), accuracies=st.lists(st.floats(0, 1), min_size=2, max_size=2))
def test_device_run_times_the_run_it_trained(method, batch_size, epochs, n_examples, accuracies):
    run = dv.device_run(DATA, method=method, sizes=(6, 5, 3), batch_size=batch_size, epochs=epochs, alpha=0.5)
    per_epoch = dc.training.batches(len(DATA), batch_size)
    assert len(run.timeline.batch_end) == epochs * len(per_epoch)
    assert dv.run_batch_sizes(run.history, len(DATA)) == [s.stop - s.start for s in per_epoch] * epochs
    assert run.timeline.batch_end == sorted(run.timeline.batch_end)  # batches finish in order
    low, high = sorted(accuracies)
    t_low, t_high = run.time_to(low), run.time_to(high)
    if t_high is not None:  # a higher accuracy is never reached sooner
        assert t_low is not None and t_low <= t_high
    # The head of the run is the start of the full timeline (later batches cannot change it).
    head = run.head(n_examples)

    def times(timeline, batches):
        return sorted((t.device, t.kind, t.batch, t.start, t.end) for t in timeline.tasks
                      if t.kind in ("forward", "backward") and t.batch < batches)
    n_head = len(head.batch_end)
    assert 1 <= n_head <= len(run.timeline.batch_end)
    assert [t[:3] for t in times(head, n_head)] == [t[:3] for t in times(run.timeline, n_head)]
    np.testing.assert_allclose([t[3:] for t in times(head, n_head)], [t[3:] for t in times(run.timeline, n_head)])
    # The same run on a device twice as slow takes twice as long.
    slower = run.on([dv.Costs(2 * c.forward, 2 * c.backward, 2 * c.generator) for c in run.costs])
    assert slower.timeline.finish == pytest.approx(2 * run.timeline.finish)


# ============================================================================ sweep

@st.composite
def stack_settings(draw):
    bits = draw(st.integers(2, 4))
    data = dc.addition_data(bits, draw(st.integers(3, 12)), seed=draw(st.integers(0, 3)))
    hidden = draw(st.lists(st.integers(2, 6), min_size=1, max_size=3))
    sizes = (2 * bits, *hidden, bits)
    alphas = draw(st.lists(st.sampled_from([0.1, 0.5, 1.0, 3.0]), min_size=1, max_size=3))
    seeds = draw(st.lists(st.integers(0, 5), min_size=len(alphas), max_size=len(alphas)))
    return dict(data=data, method=draw(st.sampled_from(sw.SWEEP_METHODS)), alphas=alphas,
                batch_size=draw(st.integers(1, len(data))), epochs=draw(st.integers(1, 4)), seeds=seeds,
                sizes=sizes, gen_alpha=draw(st.sampled_from([0.01, 0.03, 0.3])))


@SETTINGS
@given(s=stack_settings())
def test_a_stacked_network_is_the_network_dc_train_trains(s):
    """Random small settings (depth, widths, uneven last batch, seeds, methods): every network of
    the stack ends with dc.train's weights and records its accuracies."""
    stack = sw.train_stack(**s, dtype=np.float64)
    assert stack.bit_accuracy.shape == (len(s["alphas"]), s["epochs"])
    for k, (alpha, seed) in enumerate(zip(s["alphas"], s["seeds"])):
        net = dc.Network.create(s["sizes"], seed=seed, dtype=np.float64)
        try:
            history = dc.train(net, s["data"], s["method"], alpha=alpha, batch_size=s["batch_size"],
                               epochs=s["epochs"], gen_alpha=s["gen_alpha"])
        except dc.TrainingDiverged:
            assert stack.diverged_at[k] > 0
            continue
        assert stack.diverged_at[k] == 0
        for i, layer in enumerate(net.layers):
            np.testing.assert_allclose(stack.weights[i][k], layer.weights, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(stack.bit_accuracy[k], history.series("bit_accuracy"))
        for accuracy in (0.5, 0.8, 1.0):
            expected = history.epochs_to(accuracy)
            got = stack.epochs_to(accuracy)[k]
            assert (expected is None and np.isnan(got)) or got == expected


@FEW
@given(s=stack_settings(), batch_sizes=st.lists(st.integers(1, 3), min_size=1, max_size=2, unique=True),
       n_seeds=st.integers(1, 3), accuracy=st.sampled_from([0.5, 0.7, 0.9, 1.0]))
def test_a_landscape_is_its_stacks_read_consistently(s, batch_sizes, n_seeds, accuracy):
    seeds = list(range(n_seeds))
    land = sw.landscape(s["data"], s["method"], s["alphas"], batch_sizes, epochs=s["epochs"], seeds=seeds,
                        sizes=s["sizes"], gen_alpha=s["gen_alpha"])
    grids = land.grids(accuracy)
    assert grids.shape == (n_seeds, len(batch_sizes), len(s["alphas"]))
    finite = grids[np.isfinite(grids)]
    assert ((finite == -1) | ((finite >= 1) & (finite <= s["epochs"]))).all()
    for j, b in enumerate(batch_sizes):  # each cell is the run of that seed, alpha and batch size
        stack = sw.train_stack(s["data"], s["method"], s["alphas"], b, s["epochs"], seeds=seeds[-1],
                               sizes=s["sizes"], gen_alpha=s["gen_alpha"])
        np.testing.assert_allclose(land.stacks[j].bit_accuracy[-len(s["alphas"]):], stack.bit_accuracy)
    reached = land.reached(accuracy)
    assert ((reached >= 0) & (reached <= n_seeds)).all()
    assert (reached == (grids > 0).sum(axis=0)).all()
    grid = land.grid(accuracy)
    fastest = land.fastest(accuracy)
    if fastest is None:
        assert not (grid > 0).any()
    else:
        assert fastest[0] == np.nanmin(np.where(grid > 0, grid, np.nan))
    # A higher target is never reached sooner.
    higher = land.grids(min(1.0, accuracy + 0.05))
    both = (grids > 0) & (higher > 0)
    assert (higher[both] >= grids[both]).all()


# ============================================================================ widgets

@SETTINGS
@given(n=st.integers(1, 400), data=st.data())
def test_batch_size_choices_offer_every_divisor_and_the_default(n, data):
    default = data.draw(st.one_of(st.none(), st.integers(1, n)))
    choices = widgets.batch_size_choices(n, default)
    assert choices == sorted(set(choices))
    assert all(1 <= b <= n for b in choices)
    assert {d for d in range(1, n + 1) if n % d == 0} <= set(choices)
    assert default is None or default in choices


@SETTINGS
@given(epochs=st.integers(1, 500), n=st.integers(1, 200), data=st.data())
def test_the_update_budget_gives_the_most_epochs_that_fit(epochs, n, data):
    batch, default = data.draw(st.integers(1, n)), data.draw(st.integers(1, n))
    got = widgets.epochs_within_budget(epochs, n, batch, default)
    per_epoch, budget = len(dc.training.batches(n, batch)), epochs * len(dc.training.batches(n, default))
    assert 1 <= got <= epochs
    assert got == 1 or got * per_epoch <= budget  # within the budget (one epoch always runs)
    assert got == epochs or (got + 1) * per_epoch > budget  # and no epoch more would fit


def _explorer(**kw):
    history = dc.train(dc.Network.create((6, 3), seed=0), DATA, epochs=1, batch_size=5)
    args = dict(run=lambda settings, progress: history, draw=lambda h, fig: None, describe=lambda h: "done",
                alt=lambda h: "a figure", batch_size=10, dpi=60, figsize=(2, 2))
    args.update(kw)
    return widgets.Explorer(**args)


@SETTINGS
@given(alpha=st.floats(1e-3, 10.0), gen_alpha=st.floats(1e-3, 1.0), batch_size=st.sampled_from([1, 10, 100]),
       method=st.sampled_from(["backprop", "dni", "cdni"]))
def test_the_explorer_starts_from_exactly_the_settings_it_was_given(alpha, gen_alpha, batch_size, method):
    seen = []
    explorer = _explorer(run=lambda settings, progress: seen.append(dict(settings)) or None, alpha=alpha,
                         batch_size=batch_size, methods=["backprop", "dni", "cdni"], method=method,
                         gen_alpha=gen_alpha, gen_alpha_slider=True)
    got = explorer.settings()
    assert (got["batch_size"], got["method"]) == (batch_size, method)
    assert (got["alpha"], got["gen_alpha"]) == (pytest.approx(alpha, rel=1e-12), pytest.approx(gen_alpha, rel=1e-12))
    assert seen and seen[0]["batch_size"] == batch_size and seen[0]["method"] == method
    assert explorer.gen_alpha.disabled == (method == "backprop")


@FEW
@given(gen_alpha=st.floats(1.5, 100.0))
def test_a_gen_alpha_outside_the_slider_is_refused_not_clamped(gen_alpha):
    # Issue 16 finding: training_explorer(..., gen_alpha=5.0, gen_alpha_slider=True) trained with 1.0,
    # because the slider clamped the value silently.
    try:
        explorer = widgets.training_explorer(DATA, sizes=(6, 4, 3), method="dni", gen_alpha=gen_alpha,
                                             gen_alpha_slider=True, epochs=1, batch_size=5)
    except ValueError as error:
        assert "gen_alpha" in str(error)
    else:
        assert explorer.settings()["gen_alpha"] == pytest.approx(gen_alpha)


@FEW
@given(method=st.sampled_from(["backprop", "dni", "cdni", "output_only"]), epochs=st.integers(1, 3),
       test=st.booleans(), show_gradients=st.booleans())
def test_the_status_and_the_text_alternative_say_what_was_trained(method, epochs, test, show_gradients):
    held_out = dc.held_out_data(DATA, 5) if test else None
    history = dc.train(dc.Network.create((6, 4, 3), seed=0), DATA, method, alpha=0.5, batch_size=5, epochs=epochs,
                       test=held_out, track_gradients=show_gradients)
    line = widgets.summary_line(history, len(DATA), epochs)
    assert plots.NAMES[method] in line and "batch 5" in line and "nan" not in line
    assert f"{history.final()['bit_accuracy']:.0%}" in line or f"epoch {history.epochs_to(0.99)}" in line
    assert ("held-out" in line) == test
    if show_gradients and method in ("dni", "cdni"):
        text = widgets.figure_text(history, show_gradients=True)
        assert all(f"layer {i + 1} {c:.2f}" in text for i, c in enumerate(history.alignment[-1]))
    elif show_gradients:
        # Issue 16 finding: figure_text(backprop_history, show_gradients=True) raised IndexError;
        # a run without gradient records must get a clear ValueError.
        with pytest.raises(ValueError, match="history|show_gradients"):
            widgets.figure_text(history, show_gradients=True)
    else:
        text = widgets.figure_text(history)
        assert f"{history.final()['bit_accuracy']:.0%}" in text and f"{epochs} epochs" in text


# ============================================================================ plots

@SETTINGS
@given(width=st.floats(0.5, 3), height=st.floats(0.5, 3), dpi=st.integers(10, 60))
def test_a_png_has_the_size_of_its_figure(width, height, dpi):
    from matplotlib.figure import Figure

    png = plots.to_png(Figure((width, height)), dpi=dpi)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (w, h) == (pytest.approx(width * dpi, abs=1), pytest.approx(height * dpi, abs=1))


@SETTINGS
@given(data=st.data(), rows=st.integers(1, 3), columns=st.integers(1, 4), n_methods=st.integers(1, 2))
def test_every_heatmap_cell_carries_its_own_number(data, rows, columns, n_methods):
    cell = st.one_of(st.just(np.nan), st.just(-1.0), st.integers(1, 900).map(float))
    grids = {m: np.array(data.draw(st.lists(st.lists(cell, min_size=columns, max_size=columns), min_size=rows,
                                            max_size=rows)))
             for m in ["backprop", "dni"][:n_methods]}
    alphas, batch_sizes = [0.1 * (i + 1) for i in range(columns)], [5 * (i + 1) for i in range(rows)]
    fig = plots.heatmap(grids, alphas, batch_sizes)
    for ax, grid in zip(fig.axes, grids.values()):
        texts = {(round(t.get_position()[0]), round(t.get_position()[1])): t.get_text() for t in ax.texts}
        assert len(texts) == rows * columns
        for (j, i), text in texts.items():
            value = grid[i, j]
            assert text == ("–" if np.isnan(value) else "div." if value < 0 else f"{value:.0f}")


@FEW
@given(call=schedules(), n=st.integers(1, 3))
def test_a_gantt_chart_draws_every_task_once(call, n):
    schedule, sizes, costs, options = call
    timelines = [dv.simulate(schedule, sizes, costs, **options) for _ in range(n)]
    fig = plots.gantt(timelines, [f"run {i}" for i in range(n)])
    for ax, t in zip(fig.axes, timelines):
        bars = [p for p in ax.patches if p.get_width() > 0]
        assert len(bars) == len(t.tasks)
        assert sorted(round(p.get_x(), 9) for p in bars) == sorted(round(task.start, 9) for task in t.tasks)


@FEW
@given(methods=st.lists(st.sampled_from(["backprop", "dni", "cdni", "output_only"]), min_size=1, max_size=3),
       test=st.booleans())
def test_training_curves_plot_exactly_the_recorded_numbers(methods, test):
    held_out = dc.held_out_data(DATA, 5) if test else None
    histories = [dc.train(dc.Network.create((6, 4, 3), seed=i), DATA, m, alpha=0.5, batch_size=5, epochs=3,
                          test=held_out) for i, m in enumerate(methods)]
    fig = plots.training_curves(histories)
    loss_ax, acc_ax = fig.axes[:2]
    lines = [line for line in acc_ax.lines if len(line.get_xdata()) == 3]
    assert len(lines) == len(histories) * (2 if test else 1)
    expected = [h.series("bit_accuracy", split) for h in histories for split in (["train", "test"] if test else ["train"])]
    for line, series in zip(lines, expected):
        np.testing.assert_allclose(line.get_ydata(), series)


BAD_PLOT_CALLS = [
    # Issue 16 finding: plots.delay_curves(None, h), seed_spread and depth_comparison checked nothing
    # (AttributeError, KeyError, numpy's messages); each must be a ValueError/TypeError naming the argument.
    ("delay_curves-reference", lambda h: plots.delay_curves(None, h), "reference"),
    ("delay_curves-delayed", lambda h: plots.delay_curves(h, "late"), "delayed"),
    ("seed_spread-rows", lambda h: plots.seed_spread([("DNI", "nope", np.ones((2, 3)))], np.arange(3)), "rows"),
    ("seed_spread-x", lambda h: plots.seed_spread([("DNI", "dni", np.ones((2, 3)))], "abc"), "x"),
    ("depth_comparison-depths", lambda h: plots.depth_comparison("23", [("DNI", "dni", np.ones((2, 2)))]), "depths"),
    ("depth_comparison-rows", lambda h: plots.depth_comparison([2, 3], [("DNI", "dni", np.ones((2, 3)))]), "rows"),
]


@pytest.mark.parametrize("call, name", [pytest.param(c, n, id=i) for i, c, n in BAD_PLOT_CALLS])
def test_figure_helpers_refuse_bad_input_clearly(call, name):
    history = dc.train(dc.Network.create((6, 3), seed=0), DATA, epochs=1, batch_size=5)
    history.target_delay = 1
    with pytest.raises((TypeError, ValueError)) as caught:
        call(history)
    assert name in str(caught.value) and "must" in str(caught.value)


# ============================================================================ exercise checks

def _exercises():
    import importlib
    import pkgutil

    import dni_course.exercises as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"dni_course.exercises.{info.name}")
        found += [(f"{info.name}.{k}", v) for k, v in vars(module).items() if isinstance(v, package.Exercise)]
    return found


EXERCISES = _exercises()


def _solution(exercise):
    import re

    namespace = {"np": np, "dc": dc}
    exec(exercise.solution_code(), namespace)
    return namespace[re.search(r"^(?:def|class) (\w+)", exercise.solution_code(), re.M).group(1)]


def _is_class(answer):
    return isinstance(answer, type)


def _map(result, f):
    """``f`` applied to every array and number in a result (tuples and lists kept)."""
    if isinstance(result, (list, tuple)):
        return type(result)(_map(r, f) for r in result)
    if isinstance(result, (bool, np.bool_)) or result is None or isinstance(result, str):
        return result
    if isinstance(result, (np.ndarray, int, float, np.number)):
        return f(result)
    return result


def _bump(x):
    """Change one value of every input array (or list of arrays, or list of numbers) in place."""
    if isinstance(x, np.ndarray) and x.flags.writeable and x.size:
        x.flat[0] += 1
    elif isinstance(x, list) and x:
        if all(isinstance(e, np.ndarray) for e in x):
            for e in x:
                _bump(e)
        elif isinstance(x[0], (int, float)):
            x[0] += 1


def _variant(solution, how, seconds=1.0):
    """An adversarial answer made from the solution."""
    if _is_class(solution):
        name = [k for k, v in vars(solution).items() if callable(v) and not k.startswith("__")][0]
        original = getattr(solution, name)

        def method(self, *args, **kwargs):
            if how == "raises":
                raise ZeroDivisionError("the student's bug")
            if how == "slow":
                time.sleep(seconds)
            if how == "wrong" and name in ("update", "learn"):
                args = (*args[:-1], -args[-1])  # a step uphill
            result = original(self, *args, **kwargs)
            if how == "wrong" and name == "backward":
                self.delta = -self.delta
                result = None if result is None else -result
            if how == "nan":
                for attr in ("delta", "weights", "bias"):
                    value = getattr(self, attr, None)
                    if isinstance(value, np.ndarray):
                        value[...] = np.nan
                result = _map(result, lambda r: r * np.nan)
            if how == "mutates":
                arrays = [a for a in args if isinstance(a, np.ndarray)]
                for a in arrays or [self.input]:
                    _bump(a)
            return result
        return type(f"{solution.__name__}_{how}", (solution,), {name: method})

    def answer(*args):
        if how == "raises":
            raise ZeroDivisionError("the student's bug")
        if how == "slow":
            time.sleep(seconds)
        if how == "wrong type":
            return "0101"
        result = solution(*args)
        if how == "nan":
            return _map(result, lambda r: np.full(np.shape(r), np.nan))
        if how == "wrong":
            return _map(result, lambda r: -r - 1)
        if how == "mutates":
            for a in args:
                _bump(a)
        if how == "cheat":  # wrong, and it changes its inputs so a check that reads them afterwards agrees
            for a in args:
                if isinstance(a, np.ndarray) and a.flags.writeable:
                    a *= -1
            return _map(result, lambda r: -r)
        return result
    return answer


ADVERSARIAL = {  # how -> (verdict, words one of which the message must contain)
    "solution": ("correct", None),
    "raises": ("incorrect", ["raised", "ZeroDivisionError"]),
    "nan": ("incorrect", None),
    "wrong": ("incorrect", None),
    "mutates": ("incorrect", ["changed", "change"]),
    "cheat": ("incorrect", None),
    "wrong type": ("incorrect", None),
    "slow": ("incorrect", ["time limit", "took more than", "seconds"]),
}


@pytest.fixture(scope="module")
def warm_checks():
    """Every solution checked once with the real limit: fills the checks' own caches (dni_pace's
    long timelines take about a second the first time, which a 0.5 s limit would count)."""
    for name, exercise in EXERCISES:
        assert exercise.evaluate(_solution(exercise))[0] == "correct", name


@pytest.fixture
def quick_limit(monkeypatch, warm_checks):
    import dni_course.exercises as package

    monkeypatch.setattr(package, "TIME_LIMIT", 0.5)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return 0.5


@pytest.mark.parametrize("name, exercise", EXERCISES, ids=[n for n, _ in EXERCISES])
def test_every_check_gives_adversarial_answers_the_right_verdict(name, exercise, quick_limit):
    """The solution passes; an answer that raises, returns NaN or a wrong type, is wrong, changes
    its inputs (also to fool a check that reads them after the call), or is too slow does not,
    and the message says why."""
    solution = _solution(exercise)
    for how, (verdict, words) in ADVERSARIAL.items():
        if _is_class(solution) and how in ("wrong type", "cheat"):
            continue  # (the class exercises: an instance or a non-class is tested below)
        answer = solution if how == "solution" else _variant(solution, how, seconds=3 * quick_limit)
        start = time.perf_counter()
        outcome, message = exercise.evaluate(answer)
        assert outcome == verdict, f"{how}: {outcome} ({message})"
        if words:
            assert any(w in message for w in words), f"{how}: the message does not say why: {message}"
        if how == "slow":
            assert time.perf_counter() - start < 10 * quick_limit + 5, "the slow answer was not stopped in time"
    for answer in (None,):
        assert exercise.evaluate(answer)[0] == "not attempted"
    if _is_class(solution):
        assert exercise.evaluate(int)[0] == "incorrect"


@pytest.mark.parametrize("name, exercise", [e for e in EXERCISES if not _is_class(_solution(e[1]))],
                         ids=[n for n, e in EXERCISES if not _is_class(_solution(e))])
@settings(SETTINGS, max_examples=4)
@given(data=st.data())
def test_a_perturbed_answer_is_incorrect(name, exercise, data):
    """Any visible change to one number of the solution's result fails the check."""
    solution = _solution(exercise)
    size = data.draw(st.sampled_from([1e-2, 0.5, 3.0]), label="size")
    index = data.draw(st.integers(0, 10 ** 6), label="index")

    def answer(*args):
        result = solution(*args)
        if result is None:
            return result
        arrays = []

        def perturb(r):
            r = np.array(r, dtype=float)
            if r.size:
                r.flat[index % r.size] += size * (1 + abs(r.flat[index % r.size]))
            arrays.append(r)
            return r
        changed = _map(result, perturb)
        return changed if arrays else result

    outcome, message = exercise.evaluate(answer)
    assert outcome == "incorrect", f"a result changed by {size} was marked {outcome}: {message}"
