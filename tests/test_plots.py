"""The figures: what they draw, that the sliders' figure is reused, and readable log axes."""
import pytest
from matplotlib.figure import Figure

import dni_course as dc
from dni_course.plots import alignment_curves, to_png, training_curves


@pytest.fixture(scope="module")
def histories(task):
    train, test = task
    runs = {}
    for method in ("backprop", "dni"):
        net = dc.Network.create([16, 64, 32, 8], seed=0)
        runs[method] = dc.train(net, train, method=method, alpha=0.5, epochs=30, test=test,
                                track_gradients=method == "dni")
    return runs


def tick_labels(ax):
    return [t.get_text() for t in ax.get_yticklabels(which="both") if t.get_text()]


def test_training_curves_draw_train_and_held_out_for_each_run(histories):
    fig = training_curves(list(histories.values()))
    ax_loss, ax_acc = fig.axes
    assert len(ax_loss.lines) == 4  # two runs x (train, held-out)
    labels = [line.get_label() for line in ax_acc.lines]
    assert "DNI, held-out" in labels and "backprop, train" in labels


def test_a_figure_passed_in_is_cleared_and_reused(histories):
    fig = Figure()
    assert training_curves([histories["backprop"]], fig=fig) is fig
    training_curves([histories["dni"]], fig=fig)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2  # the first drawing is gone


def test_log_axes_have_short_labels_even_over_a_narrow_range(histories):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = training_curves([histories["dni"]])  # DNI's loss barely moves: less than a decade
    FigureCanvasAgg(fig).draw()
    labels = tick_labels(fig.axes[0])
    assert len(labels) >= 2, "a narrow log axis needs labelled minor ticks to be readable"
    assert all(len(label) <= 6 and "times" not in label and "10^" not in label for label in labels), labels


def test_alignment_needs_gradient_records(histories):
    with pytest.raises(ValueError, match="track_gradients=True"):
        alignment_curves(histories["backprop"])
    fig = alignment_curves(histories["dni"])
    assert len(fig.axes[0].lines) == 2 + 1  # two hidden layers and the zero line


def test_png_is_a_png(histories):
    assert to_png(training_curves([histories["backprop"]]))[:8] == b"\x89PNG\r\n\x1a\n"


# --- Bad arguments: a clear error that names the argument, or a figure of exactly what was asked ---

import copy  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from dni_course import devices, plots  # noqa: E402

DATA = dc.addition_data(bits=4, n_examples=12, seed=0)
TEST = dc.held_out_data(DATA, n_examples=20, seed=1)


def small_run(method="cdni", track=True, **kw):
    return dc.train(dc.Network.create([8, 6, 4], seed=0), DATA, method=method, alpha=0.5, batch_size=4, epochs=3,
                    test=TEST, track_gradients=track and method in ("dni", "cdni"), **kw)


RUN = small_run()
BACKPROP = small_run("backprop")
LATE = small_run(target_delay=2)
LATE.target_delay = 2  # as devices.DelayExplorer sets it
DIGITS_LIKE = copy.copy(BACKPROP)  # a run that records accuracy, not bit accuracy (as on the digits)
DIGITS_LIKE.train = [{"loss": 0.5, "accuracy": 0.5}]
RECORD = dc.errata.printed_dni(DATA, 0, iterations=3, batch_size=4, hidden=(4,))
TIMELINE = devices.simulate("dni", [4, 4], devices.layer_costs(3))
GRIDS = {"dni": np.array([[10.0, np.nan], [-1.0, 20.0]])}
REACHED = {"dni": np.array([[1, 0], [0, 1]])}
ROWS = [("backprop", "backprop", np.array([[0.5, 0.6, 0.7], [0.55, 0.65, 0.75]]))]


class Thing:
    def __repr__(self):
        return "Thing()"


# Text a figure can show (DejaVu Sans has no glyph for control characters and most scripts).
TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_categories=("Cc", "Cs", "Cn")),
               max_size=8)
# Wrong types, NaN and infinities, huge numbers, strings, containers and arrays of the wrong kind.
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), st.floats(), TEXT,
                 st.binary(max_size=3), st.just(Thing()), st.just({}), st.just(1j),
                 st.lists(st.one_of(st.integers(-3, 3), st.floats(), TEXT), max_size=3),
                 st.just(np.zeros((2, 2))), st.just(np.array(["a"])), st.just(DATA), st.just(RUN))
PROPERTY = settings(max_examples=12, deadline=None, database=None, derandomize=not os.environ.get("DNI_EXPLORE"),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def drawn_texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible()]


def nothing_hidden(fig):
    """Every finite point of every line lies within its axes' limits (no data cut off silently)."""
    for ax in fig.axes:
        low, high = sorted(ax.get_ylim())
        for line in ax.lines:
            y = np.asarray(line.get_ydata(), dtype=float)
            y = y[np.isfinite(y)]
            assert not y.size or (low - 1e-9 <= y.min() and y.max() <= high + 1e-9), (ax.get_title(), low, high)


def titled(title):
    def verify(fig, value):
        nothing_hidden(fig)
        assert any(text.startswith(title(value)) for text in drawn_texts(fig)), title(value)
    return verify


def figure(fig, value):
    assert isinstance(fig, Figure)
    nothing_hidden(fig)


def same_figure(fig, value):
    assert fig is value or value is None


def cases():
    """(id, call(value), the argument's name, values to try, verify(result, value) when the call works)."""
    texts = st.one_of(JUNK, TEXT, st.sampled_from(["$x$", "$}$", "$\\nope$", "_hidden", "a $b$"]))
    figs = st.one_of(JUNK, st.none(), st.just(Figure()))
    histories = st.one_of(JUNK, st.just([]), st.just([RUN, DATA]), st.just([DIGITS_LIKE]), st.just([RUN, BACKPROP]))
    arrays = st.one_of(JUNK, st.lists(st.floats(-1, 2), min_size=1, max_size=5),
                       st.lists(st.floats(0, 1), min_size=4, max_size=4), st.just([0.5] * 65))
    rows = st.one_of(JUNK, st.just([]), st.just([("a", "nope", ROWS[0][2])]), st.just([("a", "dni")]),
                     st.just([("a", "dni", np.ones((2, 2)))]), st.just([("a", "dni", np.full((2, 3), np.nan))]),
                     st.just([("a", "dni", np.full((2, 3), 2.0))]), st.just([(5, "dni", ROWS[0][2])]), st.just(ROWS))
    pairs = st.one_of(JUNK, st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), st.just((0.0, 1.0)))
    counts = st.one_of(JUNK, st.integers(-3, 2000))
    return [
        ("training_curves-histories", lambda v: plots.training_curves(v), "histories", histories, figure),
        ("training_curves-fig", lambda v: plots.training_curves([RUN], fig=v), "fig", figs, same_figure),
        ("training_curves-title", lambda v: plots.training_curves([RUN], title=v), "title", texts,
         titled(lambda v: v)),
        ("alignment_curves-history", plots.alignment_curves, "history",
         st.one_of(JUNK, st.just(BACKPROP), st.just([RUN])), figure),
        ("alignment_curves-title", lambda v: plots.alignment_curves(RUN, title=v), "title", texts,
         titled(lambda v: v)),
        ("alignment_curves-baseline", lambda v: plots.alignment_curves(RUN, baseline=v), "baseline",
         st.one_of(JUNK.filter(lambda v: v is not None), st.just(np.ones((3, 2))), st.just(np.full((3, 1), -2.0)),
                   st.just(np.full((3, 1), -0.9))),
         figure),
        ("power_of_two-k", plots.power_of_two, "k", counts, lambda text, k: text.startswith("2")),
        ("accuracy_per_bit-train_acc", lambda v: plots.accuracy_per_bit(v, np.full(4, 0.5)), "train_acc", arrays,
         figure),
        ("accuracy_per_bit-test_acc", lambda v: plots.accuracy_per_bit(np.full(4, 0.5), v), "test_acc", arrays,
         figure),
        ("errata_curves-printed", lambda v: plots.errata_curves(v, RECORD), "printed",
         st.one_of(JUNK, st.just({**RECORD, "max_weight": [0.0] * len(RECORD["loss"])}),
                   st.just({**RECORD, "bit_accuracy": [2.0] * len(RECORD["loss"])}), st.just(RECORD)), figure),
        ("dni_diagram-fig", lambda v: plots.dni_diagram(fig=v), "fig", figs, same_figure),
        ("to_png-dpi", lambda v: plots.to_png(Figure((2, 2)), dpi=v), "dpi",
         st.one_of(JUNK, st.floats(-10, 5000)), lambda png, dpi: png[:4] == b"\x89PNG"),
        ("to_png-fig", lambda v: plots.to_png(v, dpi=10), "fig",
         st.one_of(JUNK, st.just(Figure((1000, 1)))), lambda png, fig: png[:4] == b"\x89PNG"),
        ("show-alt", lambda v: plots.show(Figure((1, 1)), v), "alt", texts, lambda picture, alt: picture.alt == alt.strip()),
        ("gantt-timelines", lambda v: plots.gantt(v, ["a"]), "timelines",
         st.one_of(JUNK, st.just([TIMELINE, TIMELINE]), st.just([devices.simulate("dni", [4] * 300, devices.layer_costs(3))]),
                   st.just([TIMELINE])), figure),
        ("gantt-labels", lambda v: plots.gantt([TIMELINE], v), "labels", st.one_of(JUNK, texts.map(lambda t: [t])),
         figure),
        ("gantt-title", lambda v: plots.gantt([TIMELINE], ["a"], title=v), "title", texts, titled(lambda v: v)),
        ("gantt-fig", lambda v: plots.gantt([TIMELINE], ["a"], fig=v), "fig", figs, same_figure),
        ("heatmap-grids", lambda v: plots.heatmap(v, [0.1, 1.0], [10, 20]), "grids",
         st.one_of(JUNK, st.just({"dni": np.full((2, 2), np.inf)}), st.just({"dni": np.zeros((2, 2))}),
                   st.just({3: np.ones((2, 2))}), st.just({f"m{i}": np.ones((2, 2)) for i in range(7)}), st.just(GRIDS)),
         figure),
        ("heatmap-alphas", lambda v: plots.heatmap({"dni": np.ones((2, len(v) if isinstance(v, list) else 2))}, v,
                                                    [10, 20]), "alphas",
         st.one_of(JUNK, st.lists(st.floats(-1, 10), min_size=1, max_size=3), st.just([0.1] * 21)), figure),
        ("heatmap-title", lambda v: plots.heatmap(GRIDS, [0.1, 1.0], [10, 20], title=v), "title", texts,
         titled(lambda v: v)),
        ("heatmap-limit", lambda v: plots.heatmap(GRIDS, [0.1, 1.0], [10, 20], limit=v), "limit", counts,
         titled(lambda v: "Epochs")),
        ("heatmap-seeds", lambda v: plots.heatmap(GRIDS, [0.1, 1.0], [10, 20], seeds=v, reached=REACHED), "seeds",
         counts, figure),
        ("heatmap-reached", lambda v: plots.heatmap(GRIDS, [0.1, 1.0], [10, 20], seeds=2, reached=v), "reached",
         st.one_of(JUNK, st.just({"dni": np.full((2, 2), 3)}), st.just({"cdni": REACHED["dni"]}), st.just(REACHED)),
         figure),
        ("delay_curves-reference", lambda v: plots.delay_curves(v, LATE), "reference",
         st.one_of(JUNK, st.just(DIGITS_LIKE), st.just(RUN)), figure),
        ("delay_curves-delayed", lambda v: plots.delay_curves(RUN, v), "delayed",
         st.one_of(JUNK, st.just(BACKPROP), st.just(DIGITS_LIKE), st.just(LATE)), figure),
        ("delay_curves-delay", lambda v: plots.delay_curves(RUN, RUN, delay=v), "delay",
         st.one_of(JUNK, st.integers(-3, 50)), lambda fig, delay: any(f"{delay} batches late" in t for t in drawn_texts(fig))),
        ("delay_curves-title", lambda v: plots.delay_curves(RUN, LATE, title=v), "title", texts, titled(lambda v: v)),
        ("seed_spread-rows", lambda v: plots.seed_spread(v, [1, 2, 3]), "rows", rows, figure),
        ("seed_spread-x", lambda v: plots.seed_spread(ROWS, v), "x",
         st.one_of(JUNK, st.lists(st.floats(-5, 5), min_size=1, max_size=4)), figure),
        ("seed_spread-xlabel", lambda v: plots.seed_spread(ROWS, [1, 2, 3], xlabel=v), "xlabel", texts, figure),
        ("seed_spread-log", lambda v: plots.seed_spread([("a", "dni", [[0.0, 1.0, 2.0]])], [1, 2, 3], log=v), "log",
         st.one_of(JUNK, st.booleans()), figure),
        ("seed_spread-ylim", lambda v: plots.seed_spread(ROWS, [1, 2, 3], ylim=v), "ylim", pairs,
         lambda fig, ylim: nothing_hidden(fig) if ylim is None else fig.axes[0].get_ylim() == tuple(ylim)),
        ("seed_spread-size", lambda v: plots.seed_spread(ROWS, [1, 2, 3], size=v), "size", pairs,
         lambda fig, size: tuple(fig.get_size_inches()) == tuple(size)),
        ("depth_comparison-depths", lambda v: plots.depth_comparison(v, [("a", "dni", [[0.5, 0.6]])]), "depths",
         st.one_of(JUNK, st.lists(st.integers(-2, 8), min_size=1, max_size=3), st.just([3, 6])), figure),
        ("depth_comparison-rows", lambda v: plots.depth_comparison([3, 6, 9], v), "rows", rows, figure),
        ("depth_comparison-title", lambda v: plots.depth_comparison([3, 6, 9], ROWS, title=v), "title", texts,
         titled(lambda v: v)),
    ]


CASES = [pytest.param(*case[1:], id=case[0]) for case in cases()]


@pytest.mark.parametrize("call, name, values, verify", CASES)
@PROPERTY
@given(data=st.data())
def test_every_argument_is_refused_clearly_or_drawn_as_asked(call, name, values, verify, data):
    value = data.draw(values, label=name)
    try:
        result = call(value)
    except (TypeError, ValueError) as error:  # any other exception fails the test
        message = str(error)
        assert name in message and "must" in message, f"{name}={value!r}: {message}"
        return
    verify(result, value)
    if isinstance(result, Figure):
        plots.to_png(result, dpi=20)  # it also draws (a bad text would fail only here)


@pytest.mark.parametrize("call, words", [
    (lambda: plots.delay_curves(None, RUN), ["reference", "History", "None"]),
    (lambda: plots.delay_curves(RUN, RUN), ["delay", "batches late"]),
    (lambda: plots.delay_curves(RUN, BACKPROP, delay=1), ["delayed.method", "'backprop'"]),
    (lambda: plots.seed_spread(None, [1, 2, 3]), ["rows", "None"]),
    (lambda: plots.seed_spread(ROWS, [1, 2]), ["rows[0]'s runs", "shape"]),
    (lambda: plots.seed_spread([("a", "sgd", ROWS[0][2])], [1, 2, 3]), ["style key", "'sgd'"]),
    (lambda: plots.seed_spread(ROWS, [1, 2, 3], log=True, ylim=(0, 1)), ["ylim", "above 0"]),
    (lambda: plots.seed_spread([("a", "dni", [[0, 1, 2]])], [1, 2, 3], log=True), ["log=True", "above 0"]),
    (lambda: plots.seed_spread(ROWS, [1, 2, 3], ylim=(1, 0)), ["ylim", "low below high"]),
    (lambda: plots.depth_comparison([3, 6], None), ["rows", "None"]),
    (lambda: plots.depth_comparison([3, 6], [("a", "dni", [[0.5, 1.5]])]), ["rows[0]'s runs", "between 0 and 1"]),
    (lambda: plots.depth_comparison([3, 3], [("a", "dni", [[0.5, 0.5]])]), ["depths", "once"]),
    (lambda: plots.depth_comparison("36", ROWS), ["depths", "'36'"]),
    (lambda: plots.training_curves([DIGITS_LIKE]), ["histories[0]", "bit_accuracy", "accuracy"]),
    (lambda: plots.training_curves([RUN], title="$\\nope$"), ["title", "math"]),
    (lambda: plots.heatmap({"dni": np.full((2, 2), np.inf)}, [0.1, 1.0], [10, 20]), ["grids['dni']", "inf"]),
    (lambda: plots.heatmap(GRIDS, [0.1, 1.0], [10, 20], limit="300"), ["limit", "'300'"]),
    (lambda: plots.gantt([devices.simulate("dni", [4] * 300, devices.layer_costs(3))], ["a"]),
     ["timelines", "2000", "head(80)"]),
    (lambda: plots.gantt([TIMELINE], ["a"], fig="f"), ["fig", "Figure"]),
    (lambda: plots.to_png(Figure((100, 100)), dpi=100), ["dpi", "10000 x 10000", "8000"]),
    (lambda: plots.errata_curves({**RECORD, "max_weight": [0.0] * len(RECORD["loss"])}, RECORD),
     ["printed['max_weight']", "above 0"]),
    (lambda: plots.show(Figure((1, 1)), 3), ["alt", "int"]),
    (lambda: plots.power_of_two(10 ** 20), ["k", "1000"]),
    (lambda: plots.accuracy_per_bit(np.full(100, 0.5), np.full(100, 0.5)), ["train_acc", "64"]),
])
def test_bad_arguments_get_a_message_that_names_them(call, words):
    with pytest.raises((TypeError, ValueError)) as error:
        call()
    for word in words:
        assert word in str(error.value), str(error.value)


def test_delay_curves_take_the_delay_from_the_run_or_the_argument():
    assert any("2 batches late" in t for t in drawn_texts(plots.delay_curves(RUN, LATE)))
    assert any("7 batches late" in t for t in drawn_texts(plots.delay_curves(RUN, RUN, delay=7)))


def test_a_run_below_the_usual_axis_is_not_cut_off():
    low = copy.deepcopy(BACKPROP)
    low.train[1]["bit_accuracy"] = 0.2
    nothing_hidden(training_curves([low]))
    fig = Figure()
    fig.subplots_adjust()  # the explorer's kind of figure: fixed margins
    nothing_hidden(training_curves([low], fig=fig))
    odd = copy.deepcopy(RUN)
    odd.alignment[1] = [-0.9]
    nothing_hidden(alignment_curves(odd))


# --- Readable figures: text at least 10 px at 100% zoom --------------------------------------------

def smallest_text_px(fig, dpi):
    """The smallest visible text of ``fig`` in pixels once drawn at ``dpi`` (a point is dpi / 72 px)."""
    plots.to_png(fig, dpi=dpi)  # lays out every tick label
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes) * dpi / 72


ROW = [("backprop", "backprop", np.array([[0.5, 0.6, 0.7]]))]
STATIC_FIGURES = {
    "training_curves": lambda: training_curves([RUN, BACKPROP]),
    "alignment_curves": lambda: alignment_curves(RUN, baseline=np.zeros((3, 1))),
    "accuracy_per_bit": lambda: plots.accuracy_per_bit(np.full(8, 0.9), np.full(8, 0.6)),
    "errata_curves": lambda: plots.errata_curves(RECORD, RECORD),
    "dni_diagram": plots.dni_diagram,
    "gantt": lambda: plots.gantt([devices.simulate(s, [10] * 8, devices.layer_costs(3)) for s in ("backprop", "cdni")],
                                 ["backprop", "cDNI"]),
    "heatmap": lambda: plots.heatmap({m: np.array([[12.0, np.nan, -1.0]] * 4) for m in ("backprop", "dni", "cdni")},
                                     [0.1, 0.2, 0.5], [10, 20, 50, 100], seeds=3, limit=300,
                                     reached={m: np.full((4, 3), 2) for m in ("backprop", "dni", "cdni")}),
    "seed_spread": lambda: plots.seed_spread(ROW, [1, 2, 3]),
    "depth_comparison": lambda: plots.depth_comparison([3, 6, 9], ROW),
}


@pytest.mark.parametrize("draw", STATIC_FIGURES.values(), ids=STATIC_FIGURES.keys())
def test_static_figures_have_text_of_at_least_10_px(draw):
    assert smallest_text_px(draw(), dpi=100) >= 10  # dc.plots.show draws at dpi 100


def test_figures_the_explorers_show_have_text_of_at_least_10_px():
    fig = Figure(figsize=(9, 3.4))  # as widgets.Explorer makes it: fixed margins, drawn at dpi 80
    assert smallest_text_px(training_curves([RUN], fig=fig), dpi=80) >= 10
    assert smallest_text_px(alignment_curves(RUN, fig=fig), dpi=80) >= 10
    delay = dc.devices.DelayExplorer(DATA, delay=1, max_delay=2, epochs=2).figure  # fixed margins, dpi 80
    assert smallest_text_px(plots.delay_curves(RUN, LATE, fig=delay), dpi=80) >= 10


def drawn(fig):
    """Draw ``fig`` (as to_png does) and return the renderer, to measure what it drew."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_the_diagram_has_an_input_arrow_and_no_arrow_crosses_a_label():
    fig = plots.dni_diagram()
    renderer = drawn(fig)
    ax = fig.axes[0]
    labels = {t.get_text(): t.get_window_extent(renderer).transformed(ax.transData.inverted())
              for t in ax.texts}
    # each arrow (shaft and head) as polygons in data coordinates
    arrows = [[Path(p) for p in patch.get_path().to_polygons(closed_only=False)]
              for patch in ax.patches if isinstance(patch, FancyArrowPatch)]
    for arrow in arrows:
        for text, box in labels.items():
            assert not any(p.intersects_bbox(box, filled=False) for p in arrow), f"an arrow crosses {text!r}"
    after_input = labels["input"].x1
    starts_at_input = [after_input - 0.1 < min(p.vertices[:, 0].min() for p in arrow) < after_input + 0.5
                       and max(p.vertices[:, 0].max() for p in arrow) < labels["layer 1"].x0 for arrow in arrows]
    assert any(starts_at_input), "no arrow leaves the input"


def test_the_legend_of_the_bars_covers_no_bar():
    fig = plots.accuracy_per_bit(np.full(8, 0.5), np.full(8, 0.5))
    renderer = drawn(fig)
    legends = fig.findobj(Legend)
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert legends and bars
    for legend in legends:
        box = legend.get_window_extent(renderer)
        assert not any(box.overlaps(bar.get_window_extent(renderer)) for bar in bars)
    labels = [t.get_text() for legend in legends for t in legend.get_texts()]
    assert labels == ["training", "held-out", "chance (0.5)"] or sorted(labels) == sorted(
        ["training", "held-out", "chance (0.5)"])


def test_the_heatmap_stacks_one_panel_per_method_on_a_shared_alpha_axis():
    fig = plots.heatmap({m: np.ones((2, 3)) * 10 for m in ("backprop", "dni")}, [0.1, 1.0, 10.0], [10, 20])
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["backprop", "DNI"]
    assert panels[0].get_position().y0 > panels[1].get_position().y1 - 1e-6  # one above the other
    assert math.isclose(panels[0].get_position().x0, panels[1].get_position().x0)
