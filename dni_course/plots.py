"""Figures for the notebooks, readable without colour (Okabe-Ito colours plus line styles).

Every function draws into a ``matplotlib.figure.Figure`` it makes (or the one passed as
``fig``, which the sliders reuse) and returns it; nothing here touches pyplot's state.
"""
import base64
import html
import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.ticker import FuncFormatter, NullFormatter

from .checks import (_show, check_array, check_dpi, check_figure, check_gantt_args, check_heatmap_args,
                     check_histories, check_instance, check_int,
                     check_record, check_same_shape, check_text)
from .training import History

# Okabe-Ito colours, told apart also by line style and marker.
STYLE = {
    "backprop": dict(color="#0072B2", linestyle="-", marker="o"),
    "dni": dict(color="#D55E00", linestyle="--", marker="s"),
    "cdni": dict(color="#009E73", linestyle="-.", marker="^"),
    "output_only": dict(color="#888888", linestyle=":", marker="x"),  # the control: grey, dotted
}
NAMES = {"backprop": "backprop", "dni": "DNI", "cdni": "cDNI", "output_only": "output layer only"}
LAYER_STYLES = [dict(color="#CC79A7", linestyle="-"), dict(color="#E69F00", linestyle="--"),
                dict(color="#56B4E9", linestyle=":"), dict(color="#000000", linestyle="-.")]


def _figure(fig, ncols, size=(10, 3.6)):
    check_figure("fig", fig)
    if fig is None:
        fig = Figure(figsize=size, layout="constrained")
    else:
        fig.clear()
    return fig, fig.subplots(1, ncols, squeeze=False)[0]


def _log_y(ax):
    """Log scale with short tick labels ("0.46", not "4.6x10^-1"), so they fit fixed margins.

    Call after plotting: a range narrower than a decade labels its minor ticks too.
    """
    ax.set_yscale("log")
    short = FuncFormatter(lambda value, _: f"{value:.3g}")
    ax.yaxis.set_major_formatter(short)
    low, high = ax.get_ylim()
    ax.yaxis.set_minor_formatter(short if high / low < 10 else NullFormatter())


def _markevery(n):
    return max(1, n // 8)


def training_curves(histories, fig=None, title="Training with each method"):
    """Loss (left, log scale) and bit accuracy (right) per epoch.

    Training data: solid markers; held-out data: the same style, hollow markers, thinner.
    """
    histories, title = check_histories("histories", histories), check_text("title", title)
    fig, (ax_loss, ax_acc) = _figure(fig, 2, size=(9, 4.2))
    for h in histories:
        style = dict(STYLE[h.method])
        name = NAMES[h.method]
        splits = [("train", h.epochs, h.train, dict(lw=2))]
        if h.test:
            splits.append(("held-out", h.measured, h.test, dict(lw=1, markerfacecolor="white")))
        for label, epochs, rows, extra in splits:
            kw = dict(style, markevery=_markevery(len(rows)), markersize=5, label=f"{name}, {label}", **extra)
            ax_loss.plot(epochs, [r["loss"] for r in rows], **kw)
            ax_acc.plot(epochs, [r["bit_accuracy"] for r in rows], **kw)
    _log_y(ax_loss)
    ax_loss.set(title="Loss (mean squared error per bit)", xlabel="epoch", ylabel="loss (log scale)")
    ax_acc.axhline(0.99, color="grey", lw=0.8, linestyle=":")
    ax_acc.axhline(0.5, color="grey", lw=0.8, linestyle=":")
    # The labels sit at the left edge (x in axes units) on a white patch, so lines never hide them.
    label = dict(transform=ax_acc.get_yaxis_transform(), color="#333333", fontsize=9,
                 bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
    ax_acc.text(0.02, 0.5, "chance", va="center", **label)
    ax_acc.text(0.02, 0.99, "99%", va="center", **label)
    ax_acc.set(title="Bit accuracy", xlabel="epoch", ylabel="fraction of bits right", ylim=(0.4, 1.02))
    if fig.get_layout_engine() is not None:
        # Static figure: the legend goes below the panels, where it hides no line.
        fig.legend(*ax_acc.get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize=8)
    else:  # the explorer's fixed margins: one method, two entries, in the corner
        ax_acc.legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    return fig


def alignment_curves(history, fig=None, title="How good are the synthetic gradients?", baseline=None):
    """Cosine similarity between synthetic and true gradients (left) and the generators' loss (right).

    ``baseline`` (optional, one row per epoch, one column per hidden layer) draws a reference
    cosine per layer in grey, e.g. the guess that is the same for every example (notebook 04).
    """
    check_instance("history", history, History, " (what dc.train returns)")
    if not isinstance(title, str):
        raise TypeError(f"title must be a string, got {_show(title)}")
    if not history.alignment:
        raise ValueError("history must hold gradient records, and this one has none: train with "
                         "track_gradients=True and method 'dni' or 'cdni'")
    fig, (ax_cos, ax_loss) = _figure(fig, 2, size=(9, 3.8))
    cos = np.array(history.alignment)
    loss = np.array(history.generator_loss)
    static = fig.get_layout_engine() is not None
    for i in range(cos.shape[1]):
        style = LAYER_STYLES[i % len(LAYER_STYLES)]
        name = f"layer {i + 1} (generator {i + 1})" if static else f"hidden layer {i + 1}"
        ax_cos.plot(history.measured, cos[:, i], label=name, **style)
        ax_loss.plot(history.measured, np.maximum(loss[:, i], 1e-12), label=f"generator {i + 1}", **style)
    if baseline is not None:
        baseline = np.asarray(baseline, dtype=float)
        if baseline.shape != cos.shape:
            raise ValueError(f"baseline must have one row per epoch and one column per hidden layer, "
                             f"shape {cos.shape}, got {baseline.shape}")
        for i in range(cos.shape[1]):
            ax_cos.plot(history.measured, baseline[:, i], color="#777777", lw=1,
                        linestyle=LAYER_STYLES[i % len(LAYER_STYLES)]["linestyle"],
                        label=f"layer {i + 1}: same guess for every example")
    ax_cos.axhline(0, color="grey", lw=0.8)
    ax_cos.set(title="Cosine(synthetic, true gradient)", xlabel="epoch", ylabel="cosine similarity", ylim=(-0.5, 1.05))
    _log_y(ax_loss)
    ax_loss.set(title="Generator loss (vs. its target)", xlabel="epoch", ylabel="loss per example (log)")
    if static:  # one legend for both panels, below them, where it hides no line
        fig.legend(*ax_cos.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8)
    else:  # the explorer's fixed margins
        ax_cos.legend(fontsize=8, loc="lower right")
        ax_loss.legend(fontsize=8)
    fig.suptitle(f"{title} ({NAMES[history.method]})")
    return fig


def power_of_two(k):
    """A bit's label, such as 2⁷ (unicode superscripts, so it reads as a power, not as 2^7)."""
    k = check_int("k", k, low=0)
    return "2" + str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def accuracy_per_bit(train_acc, test_acc, fig=None):
    """Bars of accuracy per output bit, most significant first, training (filled) vs held-out (hatched)."""
    train_acc = check_array("train_acc", train_acc, (None,), low=0, high=1)
    test_acc = check_same_shape("test_acc", check_array("test_acc", test_acc, (None,), low=0, high=1), "train_acc", train_acc)
    fig, (ax,) = _figure(fig, 1, size=(8, 3.2))
    positions = np.arange(len(train_acc))
    ax.bar(positions - 0.2, train_acc, 0.4, color="#0072B2", label="training")
    ax.bar(positions + 0.2, test_acc, 0.4, color="white", edgecolor="#D55E00", hatch="//", label="held-out")
    ax.set_xticks(positions, [power_of_two(len(train_acc) - 1 - i) for i in positions])
    ax.axhline(0.5, color="grey", lw=0.8, linestyle=":")
    ax.set(title="Accuracy of each output bit", xlabel="bit of the sum (most significant first)",
           ylabel="fraction right", ylim=(0, 1.05))
    ax.legend(fontsize=8, loc="lower left")
    return fig


def errata_curves(printed, fixed, fig=None):
    """The post's printed DNI class (gradient ascent) next to the same code with ``-=``.

    The printed error is drawn on a symlog axis: logarithmic above 0.01, linear below, so a
    value of exactly 0 sits on the axis's labelled 0 instead of vanishing off a log scale.
    """
    printed, fixed = check_record("printed", printed), check_record("fixed", fixed)
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
    ax.set(xlim=(0, 10), ylim=(0, 4.2), title="A network with decoupled neural interfaces")
    ax.axis("off")
    xs = [1.2, 4.2, 7.2]
    for i, x in enumerate(xs):
        ax.add_patch(FancyBboxPatch((x - 0.7, 1.6), 1.4, 0.9, boxstyle="round,pad=0.08",
                                    facecolor="#DDEEFF", edgecolor="#0072B2", lw=1.5))
        ax.text(x, 2.05, f"layer {i + 1}", ha="center", va="center", fontsize=11)
    ax.text(0.45, 1.25, "input", ha="center", va="center", fontsize=9)
    ax.text(9.1, 2.05, "output\nvs labels", ha="left", va="center", fontsize=9)

    def arrow(a, b, **kw):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, **kw))

    for x0, x1 in zip(xs[:-1], xs[1:]):
        arrow((x0 + 0.8, 2.05), (x1 - 0.8, 2.05), color="black", lw=1.5)
    arrow((xs[-1] + 0.8, 2.05), (9.0, 2.05), color="black", lw=1.5)
    for i, x in enumerate(xs[:-1]):
        mx = x + 1.5
        ax.add_patch(Polygon([(mx, 3.0), (mx + 0.45, 3.45), (mx, 3.9), (mx - 0.45, 3.45)],
                             facecolor="#FFE9CC", edgecolor="#D55E00", lw=1.5))
        ax.text(mx, 3.45, f"M{i + 1}", ha="center", va="center", fontsize=10)
        arrow((x + 0.5, 2.6), (mx - 0.3, 3.2), color="black", lw=1)  # output goes to the generator
        arrow((mx - 0.5, 3.45), (x, 2.65), color="#D55E00", lw=1.8, linestyle="--")  # synthetic gradient
        arrow((xs[i + 1] - 0.2, 1.5), (mx + 0.3, 3.05), color="#0072B2", lw=1.2, linestyle=":",
              connectionstyle="arc3,rad=0.5")  # the layer above sends back its gradient as M's target
    ax.text(5, 0.55, "solid: forward pass     dashed: synthetic gradient, used at once (no waiting)\n"
            "dotted: gradient the layer above sends back later, the generator's training target",
            ha="center", va="center", fontsize=9)
    return fig


def to_png(fig, dpi=80):
    """The figure as PNG bytes (what the sliders show)."""
    fig, dpi = check_instance("fig", fig, Figure, " (matplotlib)"), check_dpi("dpi", dpi)
    buffer = io.BytesIO()
    # Light compression: a slightly larger file, written in about half the time.
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class Picture:
    """A figure as an image with a text alternative (what a screen reader says instead).

    Shown as HTML ``<img alt=...>`` (notebooks render it, and JupyterLab's own image output
    has no alt text); ``text/plain`` is the alternative itself, so it is also what a
    text-only front end prints and what the notebook tests compare.
    """

    def __init__(self, fig, alt, dpi=100):
        if not isinstance(alt, str) or not alt.strip():
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
    if len(timelines) != len(labels):
        raise ValueError(f"got {len(timelines)} timelines but {len(labels)} labels: give one label each")
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
                        va="center", fontsize=7)
        ax.set_yticks(range(timeline.n_devices), [f"layer {d + 1}" for d in range(timeline.n_devices)])
        ax.set_ylim(timeline.n_devices - 0.5, -0.5)
        ax.set_title(f"{label}: done at {timeline.finish:.1f}, devices busy {timeline.busy().mean():.0%} of the time",
                     fontsize=10, loc="left")
    axes[-1].set_xlabel("time (units: one layer's forward pass on 10 examples)")
    handles = [Polygon([[0, 0]], facecolor=s["facecolor"], hatch=s["hatch"], edgecolor="black", label=s["label"])
               for s in TASK_STYLE.values()]
    axes[0].legend(handles=handles, fontsize=8, ncols=4, loc="lower right", bbox_to_anchor=(1, 1.25))
    fig.suptitle(title)
    return fig


def heatmap(grids, alphas, batch_sizes, fig=None, title="Epochs to 99% training bit accuracy",
            limit=None, reached=None, seeds=1):
    """One panel per method: epochs to 99% for each learning rate (columns) and batch size (rows).

    ``grids`` maps a method to an array (batch sizes x alphas) of epochs, NaN where the run did
    not get there (a cell marked "–"), -1 where the run diverged first ("div."). Every cell
    carries its number, so the figure reads without colour; darker means fewer epochs. Over
    several ``seeds``, ``grids`` holds medians and ``reached`` (same keys and shapes) how many
    seeds got there: a cell where only some did says so on a second line ("2 of 3").
    """
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm

    grids, alphas, batch_sizes = check_heatmap_args(grids, alphas, batch_sizes)
    seeds = check_int("seeds", seeds, low=1)
    if reached is not None:
        if not isinstance(reached, dict) or set(reached) != set(grids):
            raise TypeError(f"reached must be a dict with the same methods as grids ({list(grids)}), "
                            f"got {_show(reached)}")
        reached = {m: check_array(f"reached[{m!r}]", r, np.shape(grids[m]), low=0, high=seeds)
                   for m, r in reached.items()}
    methods = list(grids)
    fig, axes = _figure(fig, len(methods), size=(9, 3.4))
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
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")
        ax.set_xticks(range(len(alphas)), [f"{a:.2g}" for a in alphas], fontsize=7, rotation=45)
        ax.set_yticks(range(len(batch_sizes)), [str(b) for b in batch_sizes], fontsize=8)
        ax.set(title=NAMES.get(method, method), xlabel="learning rate alpha")
    axes[0].set_ylabel("batch size")
    bar = fig.colorbar(image, ax=list(axes), shrink=0.8, label="epochs (log scale)")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    # label 20, 30, 50, 200, 300, 500 ... between the powers of ten (not every minor tick: they collide)
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}" if f"{value:g}"[0] in "235" else ""))
    over = "" if seeds == 1 else f", median over {seeds} seeds"
    fig.suptitle(title + over + ("" if limit is None else f" (– : not within {limit} epochs)"))
    return fig


def delay_curves(reference, delayed, fig=None, title="cDNI with late generator targets"):
    """Training bit accuracy per epoch: generators learning on time (grey) and ``target_delay`` late."""
    fig, (ax,) = _figure(fig, 1, size=(8, 3.2))
    ax.plot(reference.epochs, reference.series("bit_accuracy"), color="#777777", linestyle="--", lw=1.5,
            label="targets on time")
    ax.plot(delayed.epochs, delayed.series("bit_accuracy"), lw=2, label=f"targets {delayed.target_delay} batches late",
            **{k: v for k, v in STYLE[delayed.method].items() if k != "marker"})
    ax.axhline(0.99, color="grey", lw=0.8, linestyle=":")
    ax.text(0, 0.985, "99%", color="grey", fontsize=8, va="top")
    ax.set(title=title, xlabel="epoch", ylabel="training bit accuracy", ylim=(0.4, 1.02))
    ax.legend(fontsize=8, loc="lower right")
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


def seed_spread(rows, x, fig=None, title="", xlabel="epoch", ylabel="held-out accuracy", log=False,
                ylim=None, size=(8, 3.6)):
    """One panel: for each (label, style key, runs) a median line and a min-max band over seeds.
    ``runs`` has one row per seed and one column per entry of ``x``."""
    fig, (ax,) = _figure(fig, 1, size=size)
    for label, key, runs in rows:
        _median_band(ax, x, runs, label, key)
    if log:
        _log_y(ax)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8)
    return fig


def depth_comparison(depths, rows, fig=None, title="Deeper networks: held-out accuracy after training"):
    """Accuracy against the number of layers: every seed as a point, the median as a line."""
    fig, (ax,) = _figure(fig, 1, size=(8, 3.6))
    offsets = np.linspace(-0.12, 0.12, len(rows))  # side by side, so the points do not hide each other
    for (label, key, runs), dx in zip(rows, offsets):
        runs = np.asarray(runs, dtype=float)
        style = STYLE[key]
        x = np.asarray(depths, dtype=float) + dx
        ax.plot(x, np.median(runs, axis=0), label=f"{label} (median of {len(runs)} seeds)", lw=2, markersize=7, **style)
        for row in runs:
            ax.plot(x, row, linestyle="none", marker=style["marker"], color=style["color"], markersize=4,
                    markerfacecolor="white", alpha=0.9)
    ax.axhline(0.1, color="grey", lw=0.8, linestyle=":")
    ax.text(np.mean(depths), 0.115, "chance (1 in 10)", color="grey", fontsize=8, ha="center")
    ax.set_xticks(depths, [f"{d} layers" for d in depths])
    ax.set(title=title, xlabel="weight layers (hidden layers + output layer)", ylabel="held-out accuracy", ylim=(0, 1.02))
    ax.legend(fontsize=8, loc="lower left")
    return fig
