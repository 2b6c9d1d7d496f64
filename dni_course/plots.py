"""Figures for the notebooks, readable without colour (Okabe-Ito colours plus line styles).

Every function draws into a ``matplotlib.figure.Figure`` it makes (or the one passed as
``fig``, which the sliders reuse) and returns it; nothing here touches pyplot's state.

Text is readable at 100% zoom: at least about 11 px. ``show`` draws at dpi 100, where a
point is 100 / 72 = 1.39 px, so the smallest text there is 8 points (11.1 px); the explorers
draw at dpi 80, where a point is 1.11 px, so their smallest text is 10 points (11.1 px).
"""
import base64
import html
import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.ticker import FuncFormatter, NullFormatter

from .checks import (_show, check_array, check_bool, check_choice, check_instance, check_int, check_list,
                     check_positive, check_same_shape, check_text, ndim)
from .history import History, check_histories, check_history
from .training import SYNTHETIC

# Okabe-Ito colours, told apart also by line style and marker.
STYLE = {
    "backprop": dict(color="#0072B2", linestyle="-", marker="o"),
    "dni": dict(color="#D55E00", linestyle="--", marker="s"),
    "cdni": dict(color="#009E73", linestyle="-.", marker="^"),
    "output_only": dict(color="#888888", linestyle=":", marker="x"),  # the control: grey, dotted
    "fa": dict(color="#CC79A7", linestyle=(0, (6, 2)), marker="D"),  # notebook 09: long dashes
    "dfa": dict(color="#E69F00", linestyle=(0, (3, 1, 1, 1, 1, 1)), marker="v"),  # dash, dot, dot
}
NAMES = {"backprop": "backprop", "dni": "DNI", "cdni": "cDNI", "output_only": "output layer only",
         "fa": "FA", "dfa": "DFA"}
SMALL = 8  # points: the smallest text of a figure shown at dpi 100 (11.1 px)
LEGEND = 9  # points: legends of those figures (12.5 px)
EXPLORER_TEXT = dict(small=10, labels=11)  # points at dpi 80: legends and notes 11.1 px, ticks and axis labels 12.2 px
LAYER_STYLES = [dict(color="#CC79A7", linestyle="-"), dict(color="#E69F00", linestyle="--"),
                dict(color="#56B4E9", linestyle=":"), dict(color="#000000", linestyle="-.")]


MAX_PIXELS = 8000  # a picture's side: more takes gigabytes and minutes to encode
MAX_BARS = 64  # accuracy_per_bit: one pair of bars per output bit
MAX_TASKS = 2000  # gantt: one bar per task, about 3 s to draw
MAX_ROWS = 40  # gantt: device rows over all panels
MAX_CELLS = 20  # heatmap: alphas (or batch sizes) on one axis, each cell carrying its number
MAX_PANELS = 6  # heatmap: methods, one panel above the other


# How the figures and the explorer's texts speak of a run's headline metric (History.metric, set
# by its task). A metric not listed here is named by its key in words ("parity_accuracy": "parity
# accuracy"), on a plain axis without a chance line.
METRICS = {
    "bit_accuracy": dict(task="the addition task", axis="fraction of bits right", chance=0.5,
                         loss="Loss (mean squared error per bit)"),
}


def metric_text(history):
    """What the figures say about ``history.metric``: its words, panel title, axis label, chance level..."""
    words = history.metric.replace("_", " ")
    plain = dict(words=words, title=words.capitalize(), task=f"a task scored by {words}", axis=words,
                 chance=None, loss="Loss")
    return {**plain, **METRICS.get(history.metric, {})}


def _check_run(name, history):
    """A finished run (at least one epoch) of a method the figures know, whose records hold the loss
    and its task's headline metric, which the figures draw."""
    history = check_history(name, history)
    check_choice(f"{name}.method", history.method, tuple(NAMES))
    if any(key not in history.train[0] for key in ("loss", history.metric)):
        raise ValueError(f"{name} must be a run on {metric_text(history)['task']} (records with loss and "
                         f"{history.metric}), got a run recording {', '.join(map(str, history.train[0]))}")
    return history


def _check_label(name, value):
    """Text drawn in a figure (a title, an axis label, a legend entry): a string that matplotlib
    can draw, checked now rather than when the figure is drawn. Text between two $ signs is
    math (such as "$\\alpha$"); a legend entry starting with "_" would be left out silently."""
    from matplotlib import cbook
    from matplotlib.mathtext import MathTextParser

    check_text(name, value)
    if cbook.is_math_text(value):
        try:
            MathTextParser("path").parse(value)
        except Exception as error:  # pyparsing's errors, whatever their class
            raise ValueError(f"{name} must be plain text or valid math between $ signs, got {value!r}: "
                             f"{' '.join(str(error).split())}") from None
    if name.endswith("label") and value.startswith("_"):
        raise ValueError(f"{name} must not start with '_' (matplotlib leaves such entries out of a legend), "
                         f"got {value!r}")
    return value


def _check_pair(name, value, example, low=None):
    """A pair of finite numbers such as (low, high) or (width, height), each above ``low`` if given."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair such as {example}, got {_show(value)}")
    pair = check_array(name, list(value), (2,))
    if low is not None and not (pair > low).all():
        raise ValueError(f"{name} must be a pair of numbers above {low}, such as {example}, got {tuple(value)!r}")
    return tuple(float(v) for v in pair)


def _check_seed_rows(rows, n_columns, low=None, high=None, log=False):
    """``rows`` of (label, style key, runs): runs has one row per seed and ``n_columns`` columns,
    each value in [low, high] if given, and above 0 for a ``log`` axis."""
    if isinstance(rows, (str, bytes, dict)) or not isinstance(rows, (list, tuple)) or not rows:
        raise TypeError(f"rows must be a non-empty list of (label, style key, runs), got {_show(rows)}")
    checked = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, (list, tuple)) or len(row) != 3:
            raise TypeError(f"rows[{i}] must be a triple (label, style key, runs), got {_show(row)}")
        label, key, runs = row
        _check_label(f"rows[{i}]'s label", label)
        check_choice(f"rows[{i}]'s style key", key, tuple(STYLE))
        runs = check_array(f"rows[{i}]'s runs", runs, (None, n_columns), low=low, high=high)
        if log and not (runs > 0).all():
            raise ValueError(f"rows[{i}]'s runs must hold values above 0 for log=True (a log axis), "
                             f"got {runs.min()}")
        checked.append((label, key, runs))
    return checked


def _figure(fig, ncols, size=(10, 3.6), kind=None):
    """A figure with ``ncols`` panels side by side: a new one, or ``fig`` cleared.

    An explorer redraws the same ``kind`` of figure at every slider release: then the panels
    are kept and only what was drawn in them goes (laying out axes is most of the cost of
    building a figure). tests/test_widgets.py checks that this draws the same picture.
    """
    check_figure("fig", fig)
    if fig is None:
        fig = Figure(figsize=size, layout="constrained")
    elif kind is not None and getattr(fig, "_dni_kind", None) == kind and len(fig.axes) == ncols:
        for ax in fig.axes:
            _empty(ax)
        return fig, list(fig.axes)
    else:
        fig.clear()
    fig._dni_kind = kind
    return fig, fig.subplots(1, ncols, squeeze=False)[0]


def _empty(ax):
    """Take out of ``ax`` all that a figure function drew into it, as if it were new."""
    for artist in [*ax.lines, *ax.texts, *ax.collections, *ax.patches, *ax.images]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set_yscale("linear")
    ax.relim()
    ax.set_autoscale_on(True)


def _log_y(ax):
    """Log scale with short tick labels ("0.46", not "4.6x10^-1"), so they fit fixed margins.

    Call after plotting: a range narrower than a decade labels its minor ticks too.
    """
    ax.set_yscale("log")
    short = FuncFormatter(lambda value, _: f"{value:.3g}")
    ax.yaxis.set_major_formatter(short)
    low, high = ax.get_ylim()
    ax.yaxis.set_minor_formatter(short if high / low < 10 else NullFormatter())


def _explorer_text(fig):
    """Tick and axis labels of an explorer's figure (dpi 80) at EXPLORER_TEXT's size."""
    size = EXPLORER_TEXT["labels"]
    for ax in fig.axes:
        ax.tick_params(which="both", labelsize=size)
        ax.xaxis.label.set_fontsize(size)
        ax.yaxis.label.set_fontsize(size)


def _markevery(n):
    return max(1, n // 8)


def training_curves(histories, fig=None, title="Training with each method"):
    """Loss (left, log scale) and bit accuracy (right; the task's headline metric) per epoch.

    Training data: solid markers; held-out data: the same style, hollow markers, thinner.
    """
    histories, title = check_histories("histories", histories), _check_label("title", title)
    for i, h in enumerate(histories):
        _check_run(f"histories[{i}]", h)
        if h.metric != histories[0].metric:
            raise ValueError(f"histories must all be runs on one task, scored by one metric: histories[0] records "
                             f"{histories[0].metric} and histories[{i}] {h.metric}")
    metric, text = histories[0].metric, metric_text(histories[0])
    fig, (ax_loss, ax_acc) = _figure(fig, 2, size=(9, 4.2), kind="training_curves")
    for h in histories:
        style = dict(STYLE[h.method])
        name = NAMES[h.method]
        splits = [("train", h.epochs, h.train, dict(lw=2))]
        if h.test:
            splits.append(("held-out", h.measured, h.test, dict(lw=1, markerfacecolor="white")))
        for label, epochs, rows, extra in splits:
            kw = dict(style, markevery=_markevery(len(rows)), markersize=5, label=f"{name}, {label}", **extra)
            ax_loss.plot(epochs, [r["loss"] for r in rows], **kw)
            ax_acc.plot(epochs, [r[metric] for r in rows], **kw)
    _log_y(ax_loss)
    ax_loss.set(title=text["loss"], xlabel="epoch", ylabel="loss (log scale)")
    # Reference lines lie beneath the runs (zorder 1.5; lines are at 2), so none hides a run.
    ax_acc.axhline(0.99, color="grey", lw=0.8, zorder=1.5, linestyle=":")
    if text["chance"] is not None:
        ax_acc.axhline(text["chance"], color="grey", lw=0.8, zorder=1.5, linestyle=":")
    # The labels sit at the left edge (x in axes units) on a white patch, so lines never hide them.
    static = fig.get_layout_engine() is not None  # False: the explorer's figure, drawn at dpi 80
    small = LEGEND if static else EXPLORER_TEXT["small"]
    label = dict(transform=ax_acc.get_yaxis_transform(), color="#333333", fontsize=small,
                 bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
    if text["chance"] is not None:
        ax_acc.text(0.02, text["chance"], "chance", va="center", **label)
    ax_acc.text(0.02, 0.99, "99%", va="center", **label)
    lowest = min(r[metric] for h in histories for r in h.train + h.test)
    ax_acc.set(title=text["title"], xlabel="epoch", ylabel=text["axis"],
               ylim=(min(0.4, lowest - 0.02), 1.02))  # never hides a run that falls below 0.4
    if static:  # the legend goes below the panels, where it hides no line
        fig.legend(*ax_acc.get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize=LEGEND)
    else:  # the explorer's fixed margins: one method, two entries, where they hide the fewest points
        ax_acc.legend(fontsize=small, loc="best")
        _explorer_text(fig)
    fig.suptitle(title)
    return fig


def alignment_curves(history, fig=None, title="How good are the synthetic gradients?", baseline=None):
    """Cosine similarity between synthetic and true gradients (left) and the generators' loss (right).

    ``baseline`` (optional, one row per epoch, one column per hidden layer) draws a reference
    cosine per layer in grey, e.g. the guess that is the same for every example (notebook 04).
    """
    check_instance("history", history, History, " (what dc.train returns)")
    _check_label("title", title)
    check_choice("history.method", history.method, tuple(NAMES))
    if not history.alignment:
        raise ValueError("history must hold gradient records, and this one has none: train with "
                         "track_gradients=True and method 'dni' or 'cdni'")
    cos = np.array(history.alignment)
    loss = np.array(history.generator_loss)
    if baseline is not None:
        baseline = check_array("baseline", baseline, None, low=-1, high=1)  # cosines
        if baseline.shape != cos.shape:
            raise ValueError(f"baseline must have one row per epoch and one column per hidden layer, "
                             f"shape {cos.shape}, got {baseline.shape}")
    fig, (ax_cos, ax_loss) = _figure(fig, 2, size=(9, 3.8), kind="alignment_curves")
    static = fig.get_layout_engine() is not None
    for i in range(cos.shape[1]):
        style = LAYER_STYLES[i % len(LAYER_STYLES)]
        name = f"layer {i + 1} (generator {i + 1})" if static else f"hidden layer {i + 1}"
        ax_cos.plot(history.measured, cos[:, i], label=name, **style)
        ax_loss.plot(history.measured, np.maximum(loss[:, i], 1e-12), label=f"generator {i + 1}", **style)
    if baseline is not None:
        for i in range(cos.shape[1]):
            ax_cos.plot(history.measured, baseline[:, i], color="#777777", lw=1,
                        linestyle=LAYER_STYLES[i % len(LAYER_STYLES)]["linestyle"],
                        label=f"layer {i + 1}: same guess for every example")
    ax_cos.axhline(0, color="grey", lw=0.8, zorder=1.5)
    lowest = min(cos.min(), baseline.min() if baseline is not None else 0)
    ax_cos.set(title="Cosine(synthetic, true gradient)", xlabel="epoch", ylabel="cosine similarity",
               ylim=(min(-0.5, lowest - 0.05), 1.05))  # never hides a cosine below -0.5
    _log_y(ax_loss)
    ax_loss.set(title="Generator loss (vs. its target)", xlabel="epoch", ylabel="loss per example (log)")
    if static:  # one legend for both panels, below them, where it hides no line
        fig.legend(*ax_cos.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=LEGEND)
    else:  # the explorer's fixed margins (dpi 80)
        ax_cos.legend(fontsize=EXPLORER_TEXT["small"], loc="lower right")
        ax_loss.legend(fontsize=EXPLORER_TEXT["small"])
        _explorer_text(fig)
    fig.suptitle(f"{title} ({NAMES[history.method]})")
    return fig


def power_of_two(k):
    """A bit's label, such as 2⁷ (unicode superscripts, so it reads as a power, not as 2^7)."""
    k = check_int("k", k, low=0, high=1000)  # a bit's position; 2 to the 1000 is far past any sum here
    return "2" + str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def accuracy_per_bit(train_acc, test_acc, fig=None):
    """Bars of accuracy per output bit, most significant first, training (filled) vs held-out (hatched)."""
    train_acc = check_array("train_acc", train_acc, (None,), low=0, high=1)
    test_acc = check_same_shape("test_acc", check_array("test_acc", test_acc, (None,), low=0, high=1), "train_acc", train_acc)
    if len(train_acc) > MAX_BARS:
        raise ValueError(f"train_acc must hold at most {MAX_BARS} entries, one per output bit (more bars would "
                         f"not be readable), got {len(train_acc)}")
    fig, (ax,) = _figure(fig, 1, size=(8, 3.2))
    positions = np.arange(len(train_acc))
    ax.bar(positions - 0.2, train_acc, 0.4, color="#0072B2", label="training")
    ax.bar(positions + 0.2, test_acc, 0.4, color="white", edgecolor="#D55E00", hatch="//", label="held-out")
    ax.set_xticks(positions, [power_of_two(len(train_acc) - 1 - i) for i in positions])
    ax.axhline(0.5, color="grey", lw=0.8, linestyle=":", label="chance (0.5)")
    ax.set(title="Accuracy of each output bit", xlabel="bit of the sum (most significant first)",
           ylabel="fraction right", ylim=(0, 1.05))
    if fig.get_layout_engine() is not None:  # below the axes, where it covers no bar
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=LEGEND)
    else:
        ax.legend(fontsize=LEGEND, loc="upper left", bbox_to_anchor=(1, 1))  # beside the axes
    return fig


def _check_errata_record(name, record):
    """What ``errata.printed_dni`` returns, with values each panel can draw: the printed error at
    least 0, bit accuracy between 0 and 1, the largest weight above 0 (a log axis)."""
    record = check_record(name, record)
    check_array(f"{name}['printed_error']", record["printed_error"], (None,), low=0, high=np.inf)
    check_array(f"{name}['bit_accuracy']", record["bit_accuracy"], (None,), low=0, high=1)
    largest = check_array(f"{name}['max_weight']", record["max_weight"], (None,))
    if not (largest > 0).all():
        raise ValueError(f"{name}['max_weight'] must hold values above 0 (a log axis), got {largest.min()}")
    return record


def errata_curves(printed, fixed, fig=None):
    """The post's printed DNI class (gradient ascent) next to the same code with ``-=``.

    The printed error is drawn on a symlog axis: logarithmic above 0.01, linear below, so a
    value of exactly 0 sits on the axis's labelled 0 instead of vanishing off a log scale.
    """
    printed, fixed = _check_errata_record("printed", printed), _check_errata_record("fixed", fixed)
    fig, (ax_err, ax_acc, ax_w) = _figure(fig, 3, size=(9, 3.6))
    for rec, label, style in ((printed, "as printed (+=)", STYLE["dni"]), (fixed, "sign fixed (-=)", STYLE["backprop"])):
        its = np.arange(len(rec["printed_error"]))
        kw = dict(color=style["color"], linestyle=style["linestyle"], lw=2, label=label)
        ax_err.plot(its, rec["printed_error"], **kw)
        ax_acc.plot(its, rec["bit_accuracy"], **kw)
        ax_w.plot(its, rec["max_weight"], **kw)
    ax_err.set_yscale("symlog", linthresh=0.01)
    ax_err.set_ylim(bottom=0)
    ax_err.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax_err.set(title="The post's printed 'error'", xlabel="iteration",
               ylabel="sum |(a-y) a (1-a)| (0, then log)")
    ax_acc.axhline(0.5, color="grey", lw=0.8, linestyle=":")
    ax_acc.text(0.98, 0.52, "chance", transform=ax_acc.get_yaxis_transform(), ha="right",
                color="#333333", fontsize=9)
    ax_acc.set(title="Bit accuracy", xlabel="iteration", ylabel="fraction of bits right", ylim=(0.3, 1.0))
    _log_y(ax_w)
    ax_w.set(title="Largest weight", xlabel="iteration", ylabel="max |w| (log)")
    fig.legend(*ax_acc.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9)
    return fig


def dni_diagram(fig=None):
    """Three layers, two synthetic-gradient generators, and which arrow carries what (notebook 00)."""
    fig, (ax,) = _figure(fig, 1, size=(10, 3.8))
    ax.set(xlim=(0, 10.4), ylim=(0, 4.2), title="A network with decoupled neural interfaces")
    ax.axis("off")
    xs = [2.1, 5.0, 7.9]
    for i, x in enumerate(xs):
        ax.add_patch(FancyBboxPatch((x - 0.7, 1.6), 1.4, 0.9, boxstyle="round,pad=0.08",
                                    facecolor="#DDEEFF", edgecolor="#0072B2", lw=1.5))
        ax.text(x, 2.05, f"layer {i + 1}", ha="center", va="center", fontsize=12)
    ax.text(0.05, 2.05, "input", ha="left", va="center", fontsize=11)
    ax.text(9.35, 2.05, "output\nvs labels", ha="left", va="center", fontsize=11)

    def arrow(a, b, **kw):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, **kw))

    arrow((0.75, 2.05), (xs[0] - 0.8, 2.05), color="black", lw=1.5)
    for x0, x1 in zip(xs[:-1], xs[1:]):
        arrow((x0 + 0.8, 2.05), (x1 - 0.8, 2.05), color="black", lw=1.5)
    arrow((xs[-1] + 0.8, 2.05), (9.3, 2.05), color="black", lw=1.5)
    for i, x in enumerate(xs[:-1]):
        mx = (x + xs[i + 1]) / 2  # above the gap between the two layers
        ax.add_patch(Polygon([(mx, 3.0), (mx + 0.45, 3.45), (mx, 3.9), (mx - 0.45, 3.45)],
                             facecolor="#FFE9CC", edgecolor="#D55E00", lw=1.5))
        ax.text(mx, 3.45, f"M{i + 1}", ha="center", va="center", fontsize=12)
        arrow((x + 0.45, 2.6), (mx - 0.3, 3.2), color="black", lw=1)  # output goes to the generator
        arrow((mx - 0.5, 3.45), (x - 0.1, 2.65), color="#D55E00", lw=1.8, linestyle="--")  # synthetic gradient
        # the layer above sends back its gradient (from its top edge) as the generator's target
        arrow((xs[i + 1] - 0.45, 2.6), (mx + 0.3, 3.2), color="#0072B2", lw=1.5, linestyle=":")
    ax.text(5.2, 0.55, "solid: forward pass     dashed: synthetic gradient, used at once (no waiting)\n"
            "dotted: gradient the layer above sends back later, the generator's training target",
            ha="center", va="center", fontsize=11)
    return fig


def to_png(fig, dpi=80):
    """The figure as PNG bytes (what the sliders show)."""
    fig, dpi = check_instance("fig", fig, Figure, " (matplotlib)"), check_dpi("dpi", dpi)
    width, height = (round(v * dpi) for v in fig.get_size_inches())
    if not (1 <= width <= MAX_PIXELS and 1 <= height <= MAX_PIXELS):
        raise ValueError(f"fig at dpi {dpi:g} makes a picture of {width} x {height} pixels: fig and dpi must make "
                         f"each side from 1 to {MAX_PIXELS} pixels (more takes gigabytes and minutes)")
    buffer = io.BytesIO()
    # Light compression: a slightly larger file, written in about half the time.
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def explorer_frame(fig, epochs):
    """Every panel of an explorer's figure from epoch 0 to ``epochs``, the epochs the run was
    asked for: a run that stopped sooner ends where it stopped, and releases share one frame."""
    check_figure("fig", fig)
    epochs = check_int("epochs", epochs, low=1)
    for ax in fig.axes:
        ax.set_xlim(0, epochs)
    return fig


def _moving(fig):
    """What changes from one run to the next in an explorer's figure: the runs' lines (those
    with a legend label), all else drawn in the panels (texts, bands, bars, images), the
    legends, the title, and the y axis of a log panel (a loss spans other decades in every run).
    The frame is the rest: the panels' background, ticks, titles and reference lines (lines
    without a label); their spines are drawn again over the runs, as a full drawing has them."""
    artists = []
    for ax in fig.axes:
        inside = [line for line in ax.lines if not line.get_label().startswith("_")]
        inside += [*ax.texts, *ax.collections, *ax.patches, *ax.images]
        inside += ax.spines.values()  # drawn over the runs, as in a full drawing (zorder 2.5)
        if ax.get_legend() is not None:
            inside.append(ax.get_legend())
        if ax.get_yscale() == "log":
            inside.append(ax.yaxis)
        artists += sorted(inside, key=lambda a: a.get_zorder())  # in the order Axes.draw draws them
    return artists + list(fig.legends) + list(fig.texts)  # the title is one of fig.texts


def _frame_key(fig, dpi):
    """Everything the frame of an explorer's figure (all but :func:`_moving`) is drawn from."""
    key = [tuple(fig.get_size_inches()), dpi]
    for ax in fig.axes:
        key += [ax.get_position().bounds, ax.get_xlim(), ax.get_xscale(), ax.get_yscale(), ax.get_title(),
                ax.get_xlabel(), None if ax.get_yscale() == "log" else (ax.get_ylim(), ax.get_ylabel())]
        key += [(line.get_xydata().tobytes(), line.get_color(), line.get_linestyle(), line.get_linewidth())
                for line in ax.lines if line.get_label().startswith("_")]  # reference lines
    return tuple(key)


class QuickPicture:
    """An explorer's figure as PNG, drawing its frame (panels, ticks, tick and axis labels,
    reference lines) only when it differs from every one kept, and the runs over it.

    Drawing the frame is most of the time of a picture: tick labels are laid out text by text.
    Between two slider releases it rarely changes (``explorer_frame`` fixes the epochs), so the
    last ``keep`` frames are kept as bitmaps; a picture is a kept frame with the runs' lines,
    texts, legends and title drawn over it. tests/test_widgets.py checks that the picture is
    the one a full redraw of a new figure makes.
    """

    def __init__(self, fig, dpi=80, keep=8):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure = check_instance("fig", fig, Figure, " (matplotlib)")
        self.dpi = check_dpi("dpi", dpi)
        self.keep = check_int("keep", keep, low=1, high=64)
        self.frames = {}  # frame key -> bitmap, oldest first
        self.canvas = FigureCanvasAgg(fig)

    def png(self):
        """The figure as it is now, as PNG bytes."""
        fig, canvas = self.figure, self.canvas
        fig.set_dpi(self.dpi)
        moving = _moving(fig)
        key = _frame_key(fig, self.dpi)
        if key in self.frames:
            self.frames[key] = self.frames.pop(key)  # the newest now
            canvas.restore_region(self.frames[key])
        else:
            for artist in moving:
                artist.set_animated(True)  # left out of canvas.draw(): the frame alone
            try:
                canvas.draw()
            finally:
                for artist in moving:
                    artist.set_animated(False)
            self.frames[key] = canvas.copy_from_bbox(fig.bbox)
            while len(self.frames) > self.keep:
                del self.frames[next(iter(self.frames))]
        renderer = canvas.get_renderer()
        for artist in moving:
            artist.draw(renderer)
        return _encode(canvas)


def _encode(canvas):
    """The canvas's pixels as PNG: RGB without the alpha channel (the figure is opaque), in a
    palette of at most 256 colours (a figure of a few line colours on white loses nothing a
    reader can see, and the file is a third of the size), with light compression."""
    from PIL import Image

    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class Picture:
    """A figure as an image with a text alternative (what a screen reader says instead).

    Shown as HTML ``<img alt=...>`` (notebooks render it, and JupyterLab's own image output
    has no alt text); ``text/plain`` is the alternative itself, so it is also what a
    text-only front end prints and what the notebook tests compare.
    """

    def __init__(self, fig, alt, dpi=100):
        if not isinstance(alt, str):
            raise TypeError(f"alt must be a sentence saying what the figure shows, got {_show(alt)}")
        if not alt.strip():
            raise ValueError(f"alt must be a sentence saying what the figure shows, got {alt!r}")
        self.alt = alt.strip()
        self.png = to_png(fig, dpi=dpi)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = base64.b64encode(self.png).decode("ascii")
        img = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
               'style="max-width: 100%; height: auto">')
        return {"text/html": img, "text/plain": f"[figure] {self.alt}"}


def show(fig, alt):
    """Display ``fig`` with the text alternative ``alt``: the last line of a figure cell."""
    return Picture(fig, alt)


# Timeline of layers on devices (notebook 06): each kind of task has a colour and a hatch.
TASK_STYLE = {
    "forward": dict(facecolor="#56B4E9", hatch="", label="forward"),
    "backward": dict(facecolor="#E69F00", hatch="///", label="backward + update"),
    "guess": dict(facecolor="#009E73", hatch="...", label="generator guesses"),
    "learn": dict(facecolor="#CC79A7", hatch="xx", label="generator learns"),
}


def gantt(timelines, labels, fig=None, title="Who works when: one device per layer"):
    """One timeline per panel, a row per device (layer 1 on top), on a shared time axis.

    Forward bars carry their batch number. Each panel's title gives the time to finish and
    the devices' mean busy fraction.
    """
    timelines, labels = check_gantt_args(timelines, labels)
    fig, title = check_figure("fig", fig), _check_label("title", title)
    for i, label in enumerate(labels):
        _check_label(f"labels[{i}]", label)
    tasks = sum(len(t.tasks) for t in timelines)
    if tasks > MAX_TASKS:
        raise ValueError(f"timelines must hold at most {MAX_TASKS} tasks together (one bar each, seconds to draw), "
                         f"got {tasks}: draw the first batches, timeline.head(80) or run.head(80)")
    rows = len(timelines) * max(t.n_devices for t in timelines)
    if rows > MAX_ROWS:
        raise ValueError(f"timelines must make at most {MAX_ROWS} rows (timelines x devices) so the figure stays "
                         f"readable, got {len(timelines)} x {max(t.n_devices for t in timelines)} = {rows}")
    if fig is None:
        fig = Figure(figsize=(9, 1.2 + 1.0 * len(timelines) * max(t.n_devices for t in timelines) / 3),
                     layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(len(timelines), 1, sharex=True, squeeze=False)[:, 0]
    for ax, timeline, label in zip(axes, timelines, labels):
        for task in timeline.tasks:
            style = TASK_STYLE[task.kind]
            ax.barh(task.device, task.end - task.start, left=task.start, height=0.7, edgecolor="black",
                    linewidth=0.5, facecolor=style["facecolor"], hatch=style["hatch"])
            if task.kind == "forward" and task.end - task.start >= 0.6:
                ax.text((task.start + task.end) / 2, task.device, str(task.batch + 1), ha="center",
                        va="center", fontsize=SMALL + 1)
        ax.set_yticks(range(timeline.n_devices), [f"layer {d + 1}" for d in range(timeline.n_devices)])
        ax.set_ylim(timeline.n_devices - 0.5, -0.5)
        ax.set_title(f"{label}: done at {timeline.finish:.1f}, devices busy {timeline.busy().mean():.0%} of the time",
                     fontsize=10, loc="left")
    axes[-1].set_xlabel("time (units: one layer's forward pass on 10 examples)")
    handles = [Polygon([[0, 0]], facecolor=s["facecolor"], hatch=s["hatch"], edgecolor="black", label=s["label"])
               for s in TASK_STYLE.values()]
    axes[0].legend(handles=handles, fontsize=LEGEND, ncols=4, loc="lower right", bbox_to_anchor=(1, 1.25))
    fig.suptitle(title)
    return fig


def _check_grids(grids, alphas, batch_sizes):
    """The heatmap's grids (already checked for shape): methods named by strings, few enough
    panels and cells to read, each cell NaN, -1 (diverged) or a number of epochs above 0."""
    if len(grids) > MAX_PANELS:
        raise ValueError(f"grids must hold at most {MAX_PANELS} methods (one panel each), got {len(grids)}")
    for name, values in (("alphas", alphas), ("batch_sizes", batch_sizes)):
        if len(values) > MAX_CELLS:
            raise ValueError(f"{name} must hold at most {MAX_CELLS} values (each cell carries its number, and "
                             f"more would not be readable), got {len(values)}")
    checked = {}
    for method, grid in grids.items():
        check_text("each method (key) of grids", method)
        grid = np.asarray(grid, dtype=float)
        odd = grid[~(np.isnan(grid) | (grid == -1) | (np.isfinite(grid) & (grid > 0)))]
        if odd.size:
            raise ValueError(f"grids[{method!r}] must hold epochs above 0, NaN (not reached) or -1 (diverged), "
                             f"got {odd[0]}")
        checked[method] = grid
    return checked


def heatmap(grids, alphas, batch_sizes, fig=None, title="Epochs to 99% training bit accuracy",
            limit=None, reached=None, seeds=1):
    """One panel per method, one above the other (so each column is the same alpha in every
    panel): epochs to 99% for each learning rate (columns) and batch size (rows).

    ``grids`` maps a method to an array (batch sizes x alphas) of epochs, NaN where the run did
    not get there (a cell marked "–"), -1 where the run diverged first ("div."). Every cell
    carries its number, so the figure reads without colour; darker means fewer epochs. Over
    several ``seeds``, ``grids`` holds medians and ``reached`` (same keys and shapes) how many
    seeds got there: a cell where only some did says so on a second line ("2 of 3").
    """
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm

    grids, alphas, batch_sizes = check_heatmap_args(grids, alphas, batch_sizes)
    grids = _check_grids(grids, alphas, batch_sizes)
    title = _check_label("title", title)
    if limit is not None:
        limit = check_int("limit", limit, low=1)
    seeds = check_int("seeds", seeds, low=1)
    if reached is not None:
        if not isinstance(reached, dict) or set(reached) != set(grids):
            raise TypeError(f"reached must be a dict with the same methods as grids ({list(grids)}), "
                            f"got {_show(reached)}")
        reached = {m: check_array(f"reached[{m!r}]", r, np.shape(grids[m]), low=0, high=seeds)
                   for m, r in reached.items()}
    methods = list(grids)
    check_figure("fig", fig)
    if fig is None:
        fig = Figure(figsize=(9, 1.0 + 1.9 * len(methods)), layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(len(methods), 1, sharex=True, squeeze=False)[:, 0]
    values = np.concatenate([np.ravel(g) for g in grids.values()])
    good = values[values > 0]
    norm = LogNorm(vmin=good.min() if good.size else 1, vmax=max(good.max() if good.size else 10, limit or 0))
    cmap = colormaps["cividis"].with_extremes(bad="white")
    for ax, method in zip(axes, methods):
        grid = np.asarray(grids[method], dtype=float)
        shown = np.where(grid > 0, grid, np.nan)
        image = ax.imshow(shown, cmap=cmap, norm=norm, aspect="auto", origin="lower")
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                value = grid[i, j]
                text = "–" if np.isnan(value) else ("div." if value < 0 else f"{value:.0f}")
                if reached is not None and 0 < reached[method][i, j] < seeds:  # the seeds disagree
                    text += f"\n{reached[method][i, j]:.0f} of {seeds}"
                dark = value > 0 and norm(value) < 0.45
                ax.text(j, i, text, ha="center", va="center", fontsize=LEGEND, color="white" if dark else "black")
        ax.set_xticks(range(len(alphas)), [f"{a:.2g}" for a in alphas])
        ax.set_yticks(range(len(batch_sizes)), [str(b) for b in batch_sizes])
        ax.set(title=NAMES.get(method, method), ylabel="batch size")
    axes[-1].set_xlabel("learning rate alpha")
    bar = fig.colorbar(image, ax=list(axes), shrink=0.8, label="epochs (log scale)")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    # label 20, 30, 50, 200, 300, 500 ... between the powers of ten (not every minor tick: they collide)
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}" if f"{value:g}"[0] in "235" else ""))
    over = "" if seeds == 1 else f", median over {seeds} seeds"
    fig.suptitle(title + over + ("" if limit is None else f" (– : not within {limit} epochs)"))
    return fig


def delay_curves(reference, delayed, fig=None, title="cDNI with late generator targets", delay=None):
    """Training bit accuracy (the task's headline metric) per epoch: generators learning on time
    (grey) and ``delay`` batches late.

    ``delay`` defaults to ``delayed.target_delay``, which ``devices.DelayExplorer`` sets.
    """
    reference, delayed = _check_run("reference", reference), _check_run("delayed", delayed)
    check_choice("delayed.method", delayed.method, SYNTHETIC)
    title = _check_label("title", title)
    if delay is None:
        delay = getattr(delayed, "target_delay", None)
        if delay is None:
            raise ValueError("delay must say how many batches late delayed's generator targets came "
                             "(e.g. delay=10, as given to dc.train's target_delay), got None")
    delay = check_int("delay", delay, low=0)
    fig, (ax,) = _figure(fig, 1, size=(8, 3.2), kind="delay_curves")
    ax.plot(reference.epochs, reference.series(reference.metric), color="#777777", linestyle="--", lw=1.5,
            label="targets on time")
    ax.plot(delayed.epochs, delayed.series(delayed.metric), lw=2, label=f"targets {delay} batches late",
            **{k: v for k, v in STYLE[delayed.method].items() if k != "marker"})
    ax.axhline(0.99, color="grey", lw=0.8, zorder=1.5, linestyle=":")
    ax.text(0, 0.985, "99%", color="grey", fontsize=EXPLORER_TEXT["small"], va="top")
    lowest = min(reference.series(reference.metric).min(), delayed.series(delayed.metric).min())
    ax.set(title=title, xlabel="epoch", ylabel=f"training {metric_text(delayed)['words']}",
           ylim=(min(0.4, lowest - 0.02), 1.02))
    ax.legend(fontsize=EXPLORER_TEXT["small"], loc="lower right")
    _explorer_text(fig)  # shown by devices.DelayExplorer, at dpi 80
    return fig


# Notebook 07: many seeds per setting, so each curve is a median with its min-max band.
STYLE["dni_mlp"] = dict(color="#CC79A7", linestyle=(0, (5, 1, 1, 1, 1, 1)), marker="D")
NAMES["dni_mlp"] = "DNI, MLP generator"


def _median_band(ax, x, runs, label, key, markers=True):
    """Median over the runs (rows) as a line, the min-max range as a light band of the same colour."""
    runs = np.asarray(runs, dtype=float)
    style = dict(STYLE[key])
    if not markers:
        style.pop("marker")
    ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=style["color"], alpha=0.18, lw=0)
    ax.plot(x, np.median(runs, axis=0), label=f"{label} ({len(runs)} seeds)", markevery=_markevery(len(x)),
            markersize=5, lw=2, **style)


def _check_figure_pixels(size, dpi=100):
    """A figure ``size`` (inches) that ``show`` can draw: at most MAX_PIXELS a side at dpi 100."""
    if max(size) * dpi > MAX_PIXELS:
        raise ValueError(f"size must be at most {MAX_PIXELS / dpi:g} inches a side (a picture of {MAX_PIXELS} "
                         f"pixels at dpi {dpi}), got {size!r}")


def seed_spread(rows, x, fig=None, title="", xlabel="epoch", ylabel="held-out accuracy", log=False,
                ylim=None, size=(8, 3.6)):
    """One panel: for each (label, style key, runs) a median line and a min-max band over seeds.
    ``runs`` has one row per seed and one column per entry of ``x``; ``log`` draws a log axis
    (runs above 0 only); ``ylim`` is None (fit the runs) or (low, high); ``size`` is in inches."""
    x = check_array("x", x, (None,))
    log = check_bool("log", log)
    rows = _check_seed_rows(rows, len(x), log=log)
    title, xlabel, ylabel = _check_label("title", title), _check_label("xlabel", xlabel), _check_label("ylabel", ylabel)
    if ylim is not None:
        ylim = _check_pair("ylim", ylim, "(0.5, 1.0)")
        if not ylim[0] < ylim[1] or (log and ylim[0] <= 0):
            raise ValueError(f"ylim must be a pair (low, high) with low below high{' and above 0 (log)' if log else ''}, "
                             f"got {ylim!r}")
    size = _check_pair("size", size, "(8, 3.6)", low=0)
    _check_figure_pixels(size)
    fig, (ax,) = _figure(fig, 1, size=size)
    for label, key, runs in rows:
        _median_band(ax, x, runs, label, key)
    if log:
        _log_y(ax)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=LEGEND)
    return fig


def depth_comparison(depths, rows, fig=None, title="Deeper networks: held-out accuracy after training"):
    """Accuracy against the number of layers: every seed as a point, the median as a line.

    ``depths`` are the numbers of weight layers (whole numbers, each once); each of ``rows`` is
    (label, style key, runs), runs with one row per seed and one accuracy (0 to 1) per depth."""
    if isinstance(depths, (str, bytes)) or not isinstance(depths, (list, tuple, np.ndarray)) or ndim("depths", depths) != 1:
        raise TypeError(f"depths must be a list of layer counts such as [3, 6], got {_show(depths)}")
    depths = [check_int("each of depths", d, low=1, high=1000) for d in depths]
    if not depths or len(set(depths)) != len(depths):
        raise ValueError(f"depths must list at least one layer count, each once, got {depths}")
    rows = _check_seed_rows(rows, len(depths), low=0, high=1)
    title = _check_label("title", title)
    fig, (ax,) = _figure(fig, 1, size=(8, 3.6))
    # side by side, so the points do not hide each other
    offsets = np.linspace(-0.12, 0.12, len(rows)) if len(rows) > 1 else [0.0]
    for (label, key, runs), dx in zip(rows, offsets):
        runs = np.asarray(runs, dtype=float)
        style = STYLE[key]
        x = np.asarray(depths, dtype=float) + dx
        ax.plot(x, np.median(runs, axis=0), label=f"{label} (median of {len(runs)} seeds)", lw=2, markersize=7, **style)
        for row in runs:
            ax.plot(x, row, linestyle="none", marker=style["marker"], color=style["color"], markersize=4,
                    markerfacecolor="white", alpha=0.9)
    ax.axhline(0.1, color="grey", lw=0.8, linestyle=":")
    ax.text(np.mean(depths), 0.115, "chance (1 in 10)", color="grey", fontsize=LEGEND, ha="center")
    ax.set_xticks(depths, [f"{d} layers" for d in depths])
    ax.set(title=title, xlabel="weight layers (hidden layers + output layer)", ylabel="held-out accuracy", ylim=(0, 1.02))
    ax.legend(fontsize=LEGEND, loc="lower left")
    return fig


# --- Argument checks shared by several figures (the widgets use check_dpi too)

def check_figure(name, fig):
    """None (a new figure) or a matplotlib Figure to draw into."""
    if fig is not None and not isinstance(fig, Figure):
        raise TypeError(f"{name} must be None or a matplotlib Figure, got {_show(fig)}")
    return fig


def check_dpi(name, value):
    """Dots per inch of a picture: a number from 1 to 1000 (more would take minutes and gigabytes)."""
    value = check_positive(name, value)
    if not 1 <= value <= 1000:
        raise ValueError(f"{name} must be between 1 and 1000, got {value}")
    return value


RECORD_KEYS = ("printed_error", "loss", "bit_accuracy", "max_weight")


def check_record(name, value):
    """What ``errata.printed_dni`` returns: a dict of equally long lists of numbers."""
    if not isinstance(value, dict) or any(k not in value for k in RECORD_KEYS):
        raise TypeError(f"{name} must be a record returned by dni_course.errata.printed_dni (a dict with "
                        f"{', '.join(RECORD_KEYS)}), got {_show(value)}")
    lengths = {len(check_array(f"{name}[{k!r}]", value[k], (None,), finite=False)) for k in RECORD_KEYS}
    if len(lengths) != 1:
        raise ValueError(f"{name} must hold lists of one length, got lengths {sorted(lengths)}")
    return value


def check_gantt_args(timelines, labels):
    """``plots.gantt``'s timelines (from ``devices.simulate``) and one label (a string) for each."""
    def timeline(name, t):
        if not all(hasattr(t, a) for a in ("tasks", "n_devices", "finish", "busy")):
            raise TypeError(f"{name} must be a Timeline from dni_course.devices.simulate, got {_show(t)}")
        return t
    timelines = check_list("timelines", timelines, timeline)
    labels = check_list("labels", labels, check_text)
    if len(labels) != len(timelines):
        raise ValueError(f"labels must give one label per timeline ({len(timelines)}), got {len(labels)}")
    return timelines, labels


def check_heatmap_args(grids, alphas, batch_sizes):
    """``plots.heatmap``'s grids (a dict: method -> array of batch sizes x alphas, NaN allowed)."""
    alphas = check_list("alphas", alphas, check_positive)
    batch_sizes = check_list("batch_sizes", batch_sizes, lambda name, b: check_int(name, b, low=1))
    if not isinstance(grids, dict) or not grids:
        raise TypeError(f"grids must be a dict from method to a grid of epochs, such as "
                        f"{{'dni': array}}, got {_show(grids)}")
    for method, grid in grids.items():
        grid = check_array(f"grids[{method!r}]", grid, (None, None), finite=False)
        if grid.shape != (len(batch_sizes), len(alphas)):
            raise ValueError(f"grids[{method!r}] must have one row per batch size and one column per alpha: "
                             f"batch_sizes {batch_sizes} and alphas {alphas} make {(len(batch_sizes), len(alphas))}, "
                             f"got shape {grid.shape}")
    return grids, alphas, batch_sizes
