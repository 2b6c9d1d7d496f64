"""Sliders that retrain and redraw (notebooks 02-05).

The explorer draws one reused figure and shows it as an HTML ``<img>`` with a text
alternative (a screen reader reads what the figure shows and the result). Every part has a
fixed height, so nothing below it moves while it trains. While a run trains, the old figure
is dimmed under a "training..." label and the progress bar moves; when it is done the bar
goes back to zero. Sliders act on release (``continuous_update=False``). A run that
diverges, or a bad setting, shows a one-line message instead of a traceback.

Every setting answers in about the same time: training is capped at the number of weight
updates the default batch size makes in ``epochs`` epochs, so a smaller batch (more updates
per epoch) trains fewer epochs, and the status line says so.
"""
import base64
import html
import math

import ipywidgets as widgets

from .checks import (check_bool, check_choice, check_explorer, check_explorer_args, check_history, check_int,
                     check_optional_int, check_positive)
from .layers import Network
from .plots import NAMES, alignment_curves, to_png, training_curves
from .training import GEN_ALPHA, METHODS, TrainingDiverged, batches, train

# Looks the widgets cannot set themselves: the dimmed figure with its label while training,
# and a selected method that stands out by more than a shade of grey.
CSS = """<style>
.dni-figure { position: relative; }
.dni-figure img { transition: opacity 0.1s; }
.dni-stale img { opacity: 0.3; }
.dni-stale::after { content: "training\\2026"; position: absolute; top: 40%; left: 0; right: 0;
  text-align: center; font-size: 1.6em; font-weight: bold; color: #000; }
.dni-explorer .widget-radio-box label { padding: 2px 8px; border: 1px solid transparent; border-radius: 3px; }
.dni-explorer .widget-radio-box label:has(input:checked) { border-color: #0072B2; background: #DDEEFF; font-weight: bold; }
.dni-status { line-height: 1.4em; overflow-y: auto; }
</style>"""
EXTRA_BATCH_SIZES = (3, 7, 16, 32, 64)  # a few that do not divide a training set of 100 or 1000


def batch_size_choices(n_examples, default=None):
    """Batch sizes worth offering: every divisor of ``n_examples`` (whole epochs of equal
    batches), a few that leave a smaller last batch, and ``default``."""
    n_examples = check_int("n_examples", n_examples, low=1)
    sizes = {d for d in range(1, n_examples + 1) if n_examples % d == 0}
    sizes |= {b for b in EXTRA_BATCH_SIZES if b <= n_examples}
    if default is not None:
        sizes.add(check_int("batch_size", default, low=1, high=n_examples))
    return sorted(sizes)


def epochs_within_budget(epochs, n_examples, batch_size, default_batch_size):
    """Epochs to train at ``batch_size`` so that it makes no more weight updates than
    ``epochs`` epochs at ``default_batch_size`` (and never more than ``epochs``)."""
    epochs, n_examples = check_int("epochs", epochs, low=1), check_int("n_examples", n_examples, low=1)
    batch_size = check_int("batch_size", batch_size, low=1, high=n_examples)
    default_batch_size = check_int("default_batch_size", default_batch_size, low=1, high=n_examples)
    budget = epochs * len(batches(n_examples, default_batch_size))
    return max(1, min(epochs, budget // len(batches(n_examples, batch_size))))


class Explorer:
    """Alpha (log scale) slider, batch-size menu, optionally a method choice and a slider for
    the generators' learning rate, a progress bar, a status line and a figure.

    ``run(settings, progress)`` trains and returns a result, where ``settings`` is a dict with
    ``alpha``, ``batch_size``, ``method`` and ``gen_alpha``; it may call ``progress(done, total)``.
    ``draw(result, fig)`` draws into ``fig``; ``describe(result)`` gives the status line and
    ``alt(result)`` the figure's text alternative.
    """

    def __init__(self, run, draw, describe, alt, alpha=1.0, batch_size=10, batch_sizes=(1, 10, 100),
                 methods=None, method="backprop", alpha_range=(1e-3, 10.0), gen_alpha=GEN_ALPHA,
                 gen_alpha_slider=False, gen_alpha_range=(1e-3, 1.0), figsize=(9, 3.4), dpi=80):
        from matplotlib.figure import Figure

        check_explorer(run, draw, describe, alt, alpha, batch_size, batch_sizes, alpha_range, dpi)
        self._run, self._draw, self._describe, self._alt = run, draw, describe, alt
        self.dpi = dpi
        # Fixed margins instead of a layout engine: constrained layout would double the
        # time from slider release to picture, and the explorer's panels never change shape.
        self.figure = Figure(figsize=figsize)
        self.figure.subplots_adjust(left=0.08, right=0.985, bottom=0.15, top=0.8, wspace=0.24)
        style = {"description_width": "150px"}
        slider = dict(continuous_update=False, style=style, layout=widgets.Layout(width="460px"))
        self.alpha = widgets.FloatLogSlider(
            value=alpha, base=10, min=math.log10(alpha_range[0]), max=math.log10(alpha_range[1]), step=0.1,
            description="alpha (learning rate)", readout_format=".3g", tooltip="alpha, the learning rate", **slider)
        self.batch_size = widgets.Dropdown(options=list(batch_sizes), value=batch_size, description="batch size",
                                           style=style, layout=widgets.Layout(width="250px"))
        sliders = [self.alpha, self.batch_size]
        self.gen_alpha = None
        if gen_alpha_slider:
            self.gen_alpha = widgets.FloatLogSlider(
                value=gen_alpha, base=10, min=math.log10(gen_alpha_range[0]), max=math.log10(gen_alpha_range[1]),
                step=0.1, description="generator alpha", readout_format=".3g",
                tooltip="the generators' learning rate", **slider)
            sliders.append(self.gen_alpha)
        self._fixed_gen_alpha = gen_alpha
        controls = [widgets.VBox(sliders)]
        self.method = None
        if methods:
            self.method = widgets.RadioButtons(options=[(NAMES[m], m) for m in methods], value=method,
                                               description="method", orientation="horizontal",
                                               style={"description_width": "60px"})
            controls.append(self.method)
        self._fixed_method = method
        self.progress = widgets.IntProgress(value=0, min=0, max=100, description="progress",
                                            layout=widgets.Layout(width="460px", height="22px"))
        # Three lines of room, so a status that wraps at a narrow width moves nothing below it.
        self.status = widgets.HTML(layout=widgets.Layout(height="4.4em", width="auto"))
        self.status.add_class("dni-status")
        width, height = (round(v * dpi) for v in figsize)
        self._size = (width, height)
        self.picture = widgets.HTML(layout=widgets.Layout(height=f"{height + 4}px", width=f"{width + 4}px"))
        self.picture.add_class("dni-figure")
        self.widget = widgets.VBox([widgets.HTML(CSS, layout=widgets.Layout(height="0px")),
                                    widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap")),
                                    self.progress, self.status, self.picture])
        self.widget.add_class("dni-explorer")
        for control in (self.alpha, self.batch_size, self.gen_alpha, self.method):
            if control is not None:
                control.observe(self._on_change, names="value")
        self.result = None
        self._enable_gen_alpha()
        self.update()

    def settings(self):
        """The current settings, as ``run`` receives them."""
        return {"alpha": self.alpha.value, "batch_size": self.batch_size.value,
                "method": self.method.value if self.method is not None else self._fixed_method,
                "gen_alpha": self.gen_alpha.value if self.gen_alpha is not None else self._fixed_gen_alpha}

    def _enable_gen_alpha(self):
        if self.gen_alpha is not None:  # backprop has no generators
            self.gen_alpha.disabled = self.settings()["method"] == "backprop"

    def _on_change(self, change):
        self._enable_gen_alpha()
        self.update()

    def _set_progress(self, done, total):
        self.progress.max = total
        self.progress.value = done

    def update(self):
        """Retrain with the current settings and redraw; on failure say why in the status line."""
        settings = self.settings()
        self.status.value = f"Training {html.escape(NAMES.get(settings['method'], str(settings['method'])))}\u2026"
        self.progress.value = 0
        self.picture.add_class("dni-stale")  # the old figure, dimmed, until the new one is in place
        try:
            try:
                result = self._run(settings, self._set_progress)
            except (TrainingDiverged, ValueError, TypeError) as error:
                self.result = None
                self.picture.value = ""
                self.status.value = f"<b>No figure:</b> {html.escape(str(error))}"
                return
            self.result = result
            self._draw(result, self.figure)
            png = base64.b64encode(to_png(self.figure, dpi=self.dpi)).decode("ascii")
            width, height = self._size
            self.picture.value = (f'<img src="data:image/png;base64,{png}" alt="{html.escape(self._alt(result))}" '
                                  f'width="{width}" height="{height}">')
            self.status.value = html.escape(self._describe(result))
        finally:
            self.progress.value = 0
            self.picture.remove_class("dni-stale")

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # nbval compares text/plain: keep it short and stable instead of the widget tree.
        bundle["text/plain"] = "Explorer: sliders for alpha and batch size (run the notebook to use them)"
        return bundle


def summary_line(history, n_examples=None, epochs=None):
    """One line about a finished run, for the explorer's status.

    ``epochs`` is what the explorer was asked for: when the run had fewer because of the
    update budget, the line says so.
    """
    history = check_history("history", history)
    n_examples, epochs = check_optional_int("n_examples", n_examples, 1), check_optional_int("epochs", epochs, 1)
    name = NAMES[history.method]
    reached = history.epochs_to(0.99)
    first = f"99% training bit accuracy at epoch {reached}" if reached else \
        f"{history.final()['bit_accuracy']:.0%} training bit accuracy after {history.epochs[-1]} epochs"
    text = f"{name}, alpha {history.alpha:.3g}, batch {history.batch_size}: {first} ({history.seconds:.2f} s)"
    if history.test:
        text += f"; held-out bit accuracy {history.final('test')['bit_accuracy']:.0%}"
    if n_examples and n_examples % history.batch_size:
        text += f". Each epoch ends with a batch of {n_examples % history.batch_size} ({history.batch_size} does not divide {n_examples})"
    planned = getattr(history, "planned_epochs", None)  # set by the explorer's update budget
    if epochs and n_examples and planned and planned < epochs:
        updates = planned * len(batches(n_examples, history.batch_size))
        text += (f". Batch {history.batch_size} trains {planned} epochs, not {epochs}: every setting gets "
                 f"at most {updates} weight updates, to answer quickly")
    return text


def figure_text(history, show_gradients=False):
    """The explorer figure's text alternative: what it shows and the result."""
    history, show_gradients = check_history("history", history), check_bool("show_gradients", show_gradients)
    run = f"{NAMES[history.method]} at alpha {history.alpha:.3g}, batch {history.batch_size}, {history.epochs[-1]} epochs"
    if show_gradients:
        cos = ", ".join(f"layer {i + 1} {c:.2f}" for i, c in enumerate(history.alignment[-1]))
        return (f"Two panels for {run}. Left: cosine similarity between synthetic and true gradients per "
                f"hidden layer, ending at {cos}. Right: each generator's loss against its target, log scale.")
    first, last = history.train[0], history.final()
    text = (f"Two panels for {run}. Left: training loss, log scale, from {first['loss']:.3g} to {last['loss']:.3g}. "
            f"Right: training bit accuracy, from {first['bit_accuracy']:.0%} to {last['bit_accuracy']:.0%}")
    if history.test:
        text += f"; held-out bit accuracy ends at {history.final('test')['bit_accuracy']:.0%}"
    return text + "."


def training_explorer(data, test=None, sizes=(16, 64, 32, 8), method="backprop", methods=None,
                      alpha=1.0, batch_size=10, epochs=300, seed=0, show_gradients=False,
                      gen_alpha=GEN_ALPHA, gen_alpha_slider=False, stop_at=None):
    """An explorer that trains a fresh network (same seed each time) on ``data``.

    ``methods`` adds a choice between methods; ``show_gradients`` draws the synthetic
    gradients' alignment instead of the learning curves (DNI and cDNI only);
    ``gen_alpha_slider`` adds a slider for the generators' learning rate ``gen_alpha``.
    ``epochs`` is trained at ``batch_size``; other batch sizes get the same number of weight
    updates (a smaller batch, fewer epochs), so every setting answers in about the same time.
    """
    check_choice("method", method, METHODS)
    sizes = check_explorer_args(data, test, sizes, seed, alpha, show_gradients, stop_at, gen_alpha_slider, methods)
    for m in methods or ():
        check_choice("each of methods", m, METHODS)
    if methods and method not in methods:
        raise ValueError(f"method {method!r} must be one of methods {list(methods)}")
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1, high=len(data))
    gen_alpha = check_positive("gen_alpha", gen_alpha)
    if show_gradients and (method == "backprop" or (methods and "backprop" in methods)):
        raise ValueError("show_gradients needs method 'dni' or 'cdni': backprop has no synthetic gradients")
    if gen_alpha_slider and method == "backprop" and not methods:
        raise ValueError("gen_alpha_slider needs method 'dni' or 'cdni' (or a methods choice): backprop has no generators")
    default_batch = batch_size

    def run(settings, progress):
        net = Network.create(sizes, seed=seed)
        planned = epochs_within_budget(epochs, len(data), settings["batch_size"], default_batch)
        step = max(1, planned // 20)

        def on_epoch(epoch, history):
            if epoch % step == 0:
                progress(epoch, planned)

        # Held-out scores and gradient records about 60 times per run, not every epoch:
        # a figure cannot show more, and measuring them took a third of the training time.
        history = train(net, data, method=settings["method"], alpha=settings["alpha"],
                        batch_size=settings["batch_size"], epochs=planned, test=test,
                        track_gradients=show_gradients, gen_alpha=settings["gen_alpha"],
                        stop_at=stop_at, on_epoch=on_epoch, measure_every=max(1, planned // 60))
        history.planned_epochs = planned
        return history

    def draw(history, fig):
        if show_gradients:
            alignment_curves(history, fig=fig)
        else:
            training_curves([history], fig=fig, title=f"{NAMES[history.method]} on {data.bits}-bit addition")

    return Explorer(run, draw, lambda h: summary_line(h, len(data), epochs),
                    lambda h: figure_text(h, show_gradients), alpha=alpha, batch_size=batch_size,
                    batch_sizes=batch_size_choices(len(data), batch_size), methods=methods, method=method,
                    gen_alpha=gen_alpha, gen_alpha_slider=gen_alpha_slider)
