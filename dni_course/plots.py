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

# Okabe-Ito colours, told apart also by line style and marker.
STYLE = {
    "backprop": dict(color="#0072B2", linestyle="-", marker="o"),
    "dni": dict(color="#D55E00", linestyle="--", marker="s"),
    "cdni": dict(color="#009E73", linestyle="-.", marker="^"),
}
NAMES = {"backprop": "backprop", "dni": "DNI", "cdni": "cDNI"}
LAYER_STYLES = [dict(color="#CC79A7", linestyle="-"), dict(color="#E69F00", linestyle="--"),
                dict(color="#56B4E9", linestyle=":"), dict(color="#000000", linestyle="-.")]


def _figure(fig, ncols, size=(10, 3.6)):
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
    fig, (ax_loss, ax_acc) = _figure(fig, 2)
    for h in histories:
        style = dict(STYLE[h.method])
        name = NAMES[h.method]
        splits = [("train", h.train, dict(lw=2))]
        if h.test:
            splits.append(("held-out", h.test, dict(lw=1, markerfacecolor="white")))
        for label, rows, extra in splits:
            kw = dict(style, markevery=_markevery(len(rows)), markersize=5, label=f"{name}, {label}", **extra)
            ax_loss.plot(h.epochs, [r["loss"] for r in rows], **kw)
            ax_acc.plot(h.epochs, [r["bit_accuracy"] for r in rows], **kw)
    _log_y(ax_loss)
    ax_loss.set(title="Loss (mean squared error per bit)", xlabel="epoch", ylabel="loss (log scale)")
    ax_acc.axhline(0.99, color="grey", lw=0.8, linestyle=":")
    ax_acc.axhline(0.5, color="grey", lw=0.8, linestyle=":")
    ax_acc.text(0, 0.51, "chance", color="grey", fontsize=8)
    ax_acc.text(0, 0.975, "99%", color="grey", fontsize=8, va="top")
    ax_acc.set(title="Bit accuracy", xlabel="epoch", ylabel="fraction of bits right", ylim=(0.4, 1.02))
    ax_acc.legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    return fig


def alignment_curves(history, fig=None, title="How good are the synthetic gradients?"):
    """Cosine similarity between synthetic and true gradients (left) and the generators' loss (right)."""
    if not history.alignment:
        raise ValueError("this history has no gradient records: train with track_gradients=True and method 'dni' or 'cdni'")
    fig, (ax_cos, ax_loss) = _figure(fig, 2)
    cos = np.array(history.alignment)
    loss = np.array(history.generator_loss)
    for i in range(cos.shape[1]):
        style = LAYER_STYLES[i % len(LAYER_STYLES)]
        ax_cos.plot(history.epochs, cos[:, i], label=f"hidden layer {i + 1}", **style)
        ax_loss.plot(history.epochs, np.maximum(loss[:, i], 1e-12), label=f"generator {i + 1}", **style)
    ax_cos.axhline(0, color="grey", lw=0.8)
    ax_cos.set(title="Cosine(synthetic, true gradient)", xlabel="epoch", ylabel="cosine similarity", ylim=(-0.5, 1.05))
    ax_cos.legend(fontsize=8, loc="lower right")
    _log_y(ax_loss)
    ax_loss.set(title="Generator loss (vs. its target)", xlabel="epoch", ylabel="loss per example (log)")
    ax_loss.legend(fontsize=8)
    fig.suptitle(f"{title} ({NAMES[history.method]})")
    return fig


def accuracy_per_bit(train_acc, test_acc, fig=None):
    """Bars of accuracy per output bit, most significant first, training (filled) vs held-out (hatched)."""
    fig, (ax,) = _figure(fig, 1, size=(8, 3.2))
    positions = np.arange(len(train_acc))
    ax.bar(positions - 0.2, train_acc, 0.4, color="#0072B2", label="training")
    ax.bar(positions + 0.2, test_acc, 0.4, color="white", edgecolor="#D55E00", hatch="//", label="held-out")
    ax.set_xticks(positions, [f"2^{len(train_acc) - 1 - i}" for i in positions])
    ax.axhline(0.5, color="grey", lw=0.8, linestyle=":")
    ax.set(title="Accuracy of each output bit", xlabel="bit of the sum (most significant first)",
           ylabel="fraction right", ylim=(0, 1.05))
    ax.legend(fontsize=8, loc="lower left")
    return fig


def errata_curves(printed, fixed, fig=None):
    """The post's printed DNI class (gradient ascent) next to the same code with ``-=``."""
    fig, (ax_err, ax_acc, ax_w) = _figure(fig, 3, size=(12, 3.4))
    for rec, label, style in ((printed, "as printed (+=)", STYLE["dni"]), (fixed, "sign fixed (-=)", STYLE["backprop"])):
        its = np.arange(len(rec["printed_error"]))
        kw = dict(color=style["color"], linestyle=style["linestyle"], label=label)
        ax_err.plot(its, np.maximum(rec["printed_error"], 1e-3), **kw)
        ax_acc.plot(its, rec["bit_accuracy"], **kw)
        ax_w.plot(its, rec["max_weight"], **kw)
    ax_err.set_yscale("log")
    ax_err.set(title="The post's printed 'error'", xlabel="iteration", ylabel="sum |(a-y) a (1-a)| (log)")
    ax_acc.set(title="Bit accuracy", xlabel="iteration", ylabel="fraction of bits right", ylim=(0.3, 1.0))
    ax_w.set_yscale("log")
    ax_w.set(title="Largest weight", xlabel="iteration", ylabel="max |w| (log)")
    ax_acc.legend(fontsize=8)
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
