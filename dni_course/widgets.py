"""Sliders that retrain and redraw (notebooks 02-05 and 09; 06's delay explorer shares ``Answering``).

The explorer draws one reused figure and shows it as an HTML ``<img>`` with a text
alternative (a screen reader reads what the figure shows and the result). Every part has a
fixed height, so nothing below it moves while it trains. While a run trains, the old figure
is dimmed under a "training..." label and the progress bar moves; when it is done the bar
goes back to zero. Sliders act on release (``continuous_update=False``). A run that
diverges, or a bad setting, shows a one-line message instead of a traceback.

Every setting answers in about the same time: training is capped at the number of weight
updates the default batch size makes in ``epochs`` epochs, so a smaller batch (more updates
per epoch) trains fewer epochs, and the status line says so. A run that has settled (see
``settled``) stops early and says so too. The figure keeps its panels from one release to the
next and redraws only the runs over a kept frame (``plots.QuickPicture``).
"""
import base64
import html
import math
import numbers
import time

import ipywidgets as widgets

from .checks import (_show, check_bool, check_callable, check_choice, check_fraction, check_int, check_positive,
                     make_rng)
from .layers import Network, check_sizes
from .plots import (NAMES, QuickPicture, _check_run, alignment_curves, check_dpi, explorer_frame, metric_text,
                    training_curves)
from .task import check_task
from .training import GEN_ALPHA, METHODS, SYNTHETIC, TrainingDiverged, train

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
ALPHA_RANGE = (1e-3, 10.0)  # the alpha slider's ends, unless the alpha asked for lies outside
GEN_ALPHA_RANGE = (1e-3, 1.0)  # the generator alpha slider's
SLIDER_LIMITS = (1e-12, 1e12)  # the widest a log slider may reach: every learning rate worth trying
MAX_EPOCHS = 10_000  # every slider release retrains the whole run: 10,000 epochs take seconds
MAX_EXAMPLES = 10_000_000  # more sums than any training set that fits in memory
PICTURE_PIXELS = (100, 4000)  # an explorer's picture, each side: readable, and drawn in a blink
MEASUREMENTS = 30  # held-out scores and gradient records per run: a point every 11 px of a 330 px panel
# A run has settled when, over the last fifth of its epochs (SETTLED["window"], at least 10), its
# training score stayed at or above 99% and moved by at most 1 point, its loss fell by less
# than 10% (under 0.05 of a decade on the log axis) and its held-out score moved by at most 1 point.
SETTLED = dict(window=0.2, least=10, reached=0.99, score=0.01, loss=0.10)


def settled(history, planned):
    """Whether a run planned for ``planned`` epochs has settled at its last epoch (SETTLED):
    the rest of it would change nothing the explorer's figure shows. Only at an epoch with
    held-out scores, so that both curves end at the same epoch."""
    window = max(SETTLED["least"], int(planned * SETTLED["window"]))
    epoch = history.epochs[-1]
    if epoch <= window or epoch >= planned or (history.measured and history.measured[-1] != epoch):
        return False
    recent = [r[history.metric] for r in history.train[-window - 1:]]
    losses = history.train[-window - 1]["loss"], history.train[-1]["loss"]
    if min(recent) < SETTLED["reached"] or max(recent) - min(recent) > SETTLED["score"]:
        return False
    if not losses[1] > (1 - SETTLED["loss"]) * losses[0]:  # "not" also catches NaN
        return False
    if history.test:
        held_out = [r[history.metric] for e, r in zip(history.measured, history.test) if e >= epoch - window]
        if len(held_out) < 2 or max(held_out) - min(held_out) > SETTLED["score"]:
            return False
    return True


def _n_batches(n_examples, batch_size):
    """How many batches ``training.batches`` makes (the last one may be smaller), without making them."""
    return -(-n_examples // batch_size)


def batch_size_choices(n_examples, default=None):
    """Batch sizes worth offering: every divisor of ``n_examples`` (whole epochs of equal
    batches), a few that leave a smaller last batch, and ``default``."""
    n_examples = check_int("n_examples", n_examples, low=1)
    if n_examples > MAX_EXAMPLES:
        raise ValueError(f"n_examples must be at most {MAX_EXAMPLES} (no training set that fits in memory "
                         f"is larger), got {n_examples}")
    sizes = set()
    for d in range(1, math.isqrt(n_examples) + 1):  # divisors come in pairs d, n / d
        if n_examples % d == 0:
            sizes |= {d, n_examples // d}
    sizes |= {b for b in EXTRA_BATCH_SIZES if b <= n_examples}
    if default is not None:
        sizes.add(check_int("default", default, low=1, high=n_examples))
    return sorted(sizes)


def epochs_within_budget(epochs, n_examples, batch_size, default_batch_size):
    """Epochs to train at ``batch_size`` so that it makes no more weight updates than
    ``epochs`` epochs at ``default_batch_size`` (and never more than ``epochs``)."""
    epochs, n_examples = check_int("epochs", epochs, low=1), check_int("n_examples", n_examples, low=1)
    batch_size = check_int("batch_size", batch_size, low=1, high=n_examples)
    default_batch_size = check_int("default_batch_size", default_batch_size, low=1, high=n_examples)
    budget = epochs * _n_batches(n_examples, default_batch_size)
    return max(1, min(epochs, budget // _n_batches(n_examples, batch_size)))


def _check_methods(methods):
    """None (no choice of method) or a list naming each method once."""
    if methods is None:
        return None
    if isinstance(methods, (str, bytes)) or not isinstance(methods, (list, tuple)):
        raise TypeError(f"methods must be None or a list of method names such as ['backprop', 'dni'], "
                        f"got {_show(methods)}")
    for m in methods:
        check_choice("each of methods", m, METHODS)
    if not methods or len(set(methods)) != len(methods):
        raise ValueError(f"methods must name at least one method, each once (or be None for no choice), "
                         f"got {list(methods)}")
    return list(methods)


def _check_slider_range(name, value, example):
    """The ends (low, high) of a log-scale slider, within SLIDER_LIMITS."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) such as {example}, got {_show(value)}")
    low, high = (check_positive(f"each end of {name}", v) for v in value)
    lowest, highest = SLIDER_LIMITS
    if not lowest <= low < high <= highest:
        raise ValueError(f"{name} must be a pair (low, high) with {lowest:g} <= low < high <= {highest:g} "
                         f"(the ends of a log-scale slider), got {tuple(value)!r}")
    return low, high


def _check_on_slider(name, value, range_name, value_range):
    """A slider's starting value: above 0 and within its range (a slider would move it to the nearer end)."""
    value = check_positive(name, value)
    low, high = value_range
    if not low <= value <= high:
        raise ValueError(f"{name} must lie in {range_name}, from {low:g} to {high:g}, got {value}: "
                         f"its slider cannot show it (widen {range_name})")
    return value


def _check_slider_value(name, value):
    """A value a log-scale slider starts from: above 0, within SLIDER_LIMITS."""
    value = check_positive(name, value)
    lowest, highest = SLIDER_LIMITS
    if not lowest <= value <= highest:
        raise ValueError(f"{name} must be from {lowest:g} to {highest:g} (the widest its log-scale slider "
                         f"reaches), got {value}")
    return value


def _covering(default, value):
    """``default`` (low, high), widened to the powers of ten around ``value`` if it lies outside."""
    low = min(default[0], float(f"1e{math.floor(math.log10(value))}"))
    high = max(default[1], float(f"1e{math.ceil(math.log10(value))}"))
    return low, high


def _log_slider(value, value_range, **options):
    """A FloatLogSlider over ``value_range`` that holds ``value`` exactly: its exponents are rounded
    outward, so that 10 ** min <= low and high <= 10 ** max (the widget clamps to those)."""
    low, high = value_range
    lo, hi = math.log10(low), math.log10(high)
    while 10.0 ** lo > low:
        lo = math.nextafter(lo, -math.inf)
    while 10.0 ** hi < high:
        hi = math.nextafter(hi, math.inf)
    slider = widgets.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=0.1, readout_format=".3g",
                                    continuous_update=False, **options)
    if slider.value != value:  # never: the checks above keep value within the ends
        raise ValueError(f"the slider changed {value!r} to {slider.value!r}")
    return slider


def _check_figsize(figsize, dpi):
    """The explorer's figure size in inches: a picture of PICTURE_PIXELS a side at ``dpi``."""
    if isinstance(figsize, (str, bytes)) or not isinstance(figsize, (list, tuple)) or len(figsize) != 2:
        raise TypeError(f"figsize must be a pair (width, height) in inches such as (9, 3.4), got {_show(figsize)}")
    width, height = (check_positive("each side of figsize", v) for v in figsize)
    pixels = round(width * dpi), round(height * dpi)
    smallest, largest = PICTURE_PIXELS
    if not all(smallest <= p <= largest for p in pixels):
        raise ValueError(f"figsize {tuple(figsize)!r} at dpi {dpi:g} makes a picture of {pixels[0]} x {pixels[1]} "
                         f"pixels: figsize and dpi must make each side from {smallest} to {largest} pixels "
                         f"(smaller is unreadable, larger takes seconds at every slider release)")
    return width, height


def _check_explorer(run, draw, describe, alt, alpha, batch_size, batch_sizes, methods, method, alpha_range,
                    gen_alpha, gen_alpha_slider, gen_alpha_range, figsize, dpi):
    """``Explorer``'s functions and the settings its controls start from, as the controls will hold them."""
    for name, function in (("run", run), ("draw", draw), ("describe", describe), ("alt", alt)):
        check_callable(name, function)
    alpha_range = _check_slider_range("alpha_range", alpha_range, ALPHA_RANGE)
    alpha = _check_on_slider("alpha", alpha, "alpha_range", alpha_range)
    if isinstance(batch_sizes, (str, bytes)) or not isinstance(batch_sizes, (list, tuple)) or not batch_sizes:
        raise TypeError(f"batch_sizes must be a list of batch sizes such as [1, 10, 100], got {_show(batch_sizes)}")
    batch_sizes = [check_int("each of batch_sizes", b, low=1) for b in batch_sizes]
    batch_size = check_int("batch_size", batch_size, low=1)
    if batch_size not in batch_sizes:
        raise ValueError(f"batch_size must be one of batch_sizes {batch_sizes}, got {batch_size}")
    methods = _check_methods(methods)
    method = check_choice("method", method, METHODS)
    if methods is not None and method not in methods:
        raise ValueError(f"method {method!r} must be one of methods {methods}")
    gen_alpha_slider = check_bool("gen_alpha_slider", gen_alpha_slider)
    gen_alpha_range = _check_slider_range("gen_alpha_range", gen_alpha_range, GEN_ALPHA_RANGE)
    if gen_alpha_slider:
        gen_alpha = _check_on_slider("gen_alpha", gen_alpha, "gen_alpha_range", gen_alpha_range)
    else:
        gen_alpha = check_positive("gen_alpha", gen_alpha)
    dpi = check_dpi("dpi", dpi)
    figsize = _check_figsize(figsize, dpi)
    return (alpha, batch_size, batch_sizes, methods, method, alpha_range, gen_alpha, gen_alpha_slider,
            gen_alpha_range, figsize, dpi)


class Answering:
    """What every explorer shows while it answers a slider release: a progress bar, a status
    line and its figure, each of a fixed height. The old figure is dimmed under "training..."
    and the progress bar moves before the new figure comes (notebooks 02-06 and 09)."""

    def _build_display(self, figsize, dpi, margins):
        """Make the figure and the widgets that show it; ``margins`` go to ``subplots_adjust``."""
        from matplotlib.figure import Figure

        self.dpi = dpi
        # Fixed margins instead of a layout engine: constrained layout would double the
        # time from slider release to picture, and the explorer's panels never change shape.
        self.figure = Figure(figsize=figsize)
        self.figure.subplots_adjust(**margins)
        self._quick = QuickPicture(self.figure, dpi)
        self.progress = widgets.IntProgress(value=0, min=0, max=100, description="progress",
                                            layout=widgets.Layout(width="460px", height="22px"))
        # Three lines of room, so a status that wraps at a narrow width moves nothing below it.
        self.status = widgets.HTML(layout=widgets.Layout(height="4.4em", width="auto"))
        self.status.add_class("dni-status")
        width, height = (round(v * dpi) for v in figsize)
        self._size = (width, height)
        self.picture = widgets.HTML(layout=widgets.Layout(height=f"{height + 4}px", width=f"{width + 4}px"))
        self.picture.add_class("dni-figure")
        self.timings = {}  # seconds of the last release: training, and drawing (figure and PNG)

    def _set_progress(self, done, total):
        self.progress.max = total
        self.progress.value = done

    def _answer(self, training, run, draw, describe, alt):
        """Answer a release: dim the old figure and say ``training`` (HTML), then ``run(progress)``
        and draw; the result, or None with the reason on the status line instead of a figure."""
        self.status.value = training
        self.progress.value = 0
        self.picture.add_class("dni-stale")  # the old figure, dimmed, until the new one is in place
        start = time.perf_counter()
        try:
            try:
                result = run(self._set_progress)
            except (TrainingDiverged, ValueError, TypeError) as error:
                self.picture.value = ""
                self.status.value = f"<b>No figure:</b> {html.escape(str(error))}"
                self.timings = dict(train=time.perf_counter() - start, draw=0.0)
                return None
            trained = time.perf_counter()
            draw(result, self.figure)
            png = base64.b64encode(self._quick.png()).decode("ascii")
            width, height = self._size
            self.picture.value = (f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt(result))}" '
                                  f'width="{width}" height="{height}">')
            self.status.value = html.escape(describe(result))
            self.timings = dict(train=trained - start, draw=time.perf_counter() - trained)
            return result
        finally:
            self.progress.value = 0
            self.picture.remove_class("dni-stale")


class Explorer(Answering):
    """Alpha (log scale) slider, batch-size menu, optionally a method choice and a slider for
    the generators' learning rate, a progress bar, a status line and a figure.

    ``run(settings, progress)`` trains and returns a result, where ``settings`` is a dict with
    ``alpha``, ``batch_size``, ``method`` and ``gen_alpha``; it may call ``progress(done, total)``.
    ``draw(result, fig)`` draws into ``fig``; ``describe(result)`` gives the status line and
    ``alt(result)`` the figure's text alternative.
    """

    def __init__(self, run, draw, describe, alt, alpha=1.0, batch_size=10, batch_sizes=(1, 10, 100),
                 methods=None, method="backprop", alpha_range=ALPHA_RANGE, gen_alpha=GEN_ALPHA,
                 gen_alpha_slider=False, gen_alpha_range=GEN_ALPHA_RANGE, figsize=(9, 3.4), dpi=80):
        (alpha, batch_size, batch_sizes, methods, method, alpha_range, gen_alpha, gen_alpha_slider, gen_alpha_range,
         figsize, dpi) = _check_explorer(run, draw, describe, alt, alpha, batch_size, batch_sizes, methods, method,
                                         alpha_range, gen_alpha, gen_alpha_slider, gen_alpha_range, figsize, dpi)
        self._run, self._draw, self._describe, self._alt = run, draw, describe, alt
        # (room for 11-point tick and axis labels: plots.EXPLORER_TEXT)
        self._build_display(figsize, dpi, dict(left=0.095, right=0.985, bottom=0.16, top=0.8, wspace=0.3))
        style = {"description_width": "150px"}
        slider = dict(style=style, layout=widgets.Layout(width="460px"))
        self.alpha = _log_slider(alpha, alpha_range, description="alpha (learning rate)",
                                 tooltip="alpha, the learning rate", **slider)
        self.batch_size = widgets.Dropdown(options=list(batch_sizes), value=batch_size, description="batch size",
                                           style=style, layout=widgets.Layout(width="250px"))
        sliders = [self.alpha, self.batch_size]
        self.gen_alpha = None
        if gen_alpha_slider:
            self.gen_alpha = _log_slider(gen_alpha, gen_alpha_range, description="generator alpha",
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
        if self.gen_alpha is not None:  # backprop and the output-only control have no generators
            self.gen_alpha.disabled = self.settings()["method"] not in SYNTHETIC

    def _on_change(self, change):
        self._enable_gen_alpha()
        self.update()

    def update(self):
        """Retrain with the current settings and redraw; on failure say why in the status line."""
        settings = self.settings()
        name = html.escape(NAMES.get(settings["method"], str(settings["method"])))
        self.result = None
        self.result = self._answer(f"Training {name}\u2026", lambda progress: self._run(settings, progress),
                                   self._draw, self._describe, self._alt)

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
    history = _check_run("history", history)
    n_examples, epochs = check_optional_int("n_examples", n_examples, 1), check_optional_int("epochs", epochs, 1)
    name, metric = NAMES[history.method], metric_text(history)['words']
    reached = history.epochs_to(0.99)
    first = f"99% training {metric} at epoch {reached}" if reached else \
        f"{history.final()[history.metric]:.0%} training {metric} after {history.epochs[-1]} epochs"
    text = f"{name}, alpha {history.alpha:.3g}, batch {history.batch_size}: {first} ({history.seconds:.2f} s)"
    if history.test:
        text += f"; held-out {metric} {history.final('test')[history.metric]:.0%}"
    if n_examples and n_examples % history.batch_size:
        text += f". Each epoch ends with a batch of {n_examples % history.batch_size} ({history.batch_size} does not divide {n_examples})"
    planned = getattr(history, "planned_epochs", None)  # set by the explorer's update budget
    if getattr(history, "settled", False):  # set by the explorer when the run settled (SETTLED)
        window = max(SETTLED["least"], int(planned * SETTLED["window"]))
        text += (f". Stopped at epoch {history.epochs[-1]} of {planned}: settled (over its last {window} "
                 f"epochs the scores moved by at most 1 point and the loss fell by under 10%)")
    if epochs and n_examples and planned and planned < epochs:
        updates = planned * _n_batches(n_examples, history.batch_size)
        text += (f". Batch {history.batch_size} trains {planned} epochs, not {epochs}: every setting gets "
                 f"at most {updates} weight updates, to answer quickly")
    return text


def figure_text(history, show_gradients=False):
    """The explorer figure's text alternative: what it shows and the result.

    ``show_gradients`` describes the gradient figure (``plots.alignment_curves``), which only a
    DNI or cDNI run trained with ``track_gradients=True`` has.
    """
    history, show_gradients = _check_run("history", history), check_bool("show_gradients", show_gradients)
    if show_gradients and not history.alignment:
        raise ValueError(f"show_gradients=True needs a run with gradient records (DNI or cDNI, trained with "
                         f"track_gradients=True), and this {NAMES[history.method]} run has none: "
                         f"use show_gradients=False for its loss and accuracy")
    run = f"{NAMES[history.method]} at alpha {history.alpha:.3g}, batch {history.batch_size}, {history.epochs[-1]} epochs"
    if show_gradients:
        cos = ", ".join(f"layer {i + 1} {c:.2f}" for i, c in enumerate(history.alignment[-1]))
        return (f"Two panels for {run}. Left: cosine similarity between synthetic and true gradients per "
                f"hidden layer, ending at {cos}. Right: each generator's loss against its target, log scale.")
    first, last, metric = history.train[0], history.final(), metric_text(history)['words']
    text = (f"Two panels for {run}. Left: training loss, log scale, from {first['loss']:.3g} to {last['loss']:.3g}. "
            f"Right: training {metric}, from {first[history.metric]:.0%} to {last[history.metric]:.0%}")
    if history.test:
        text += f"; held-out {metric} ends at {history.final('test')[history.metric]:.0%}"
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
    The sliders start at ``alpha`` and ``gen_alpha``, and reach further than usual when those
    lie outside their usual ranges (``ALPHA_RANGE``, ``GEN_ALPHA_RANGE``).
    """
    check_choice("method", method, METHODS)
    sizes = _check_explorer_args(data, test, sizes, seed, alpha, show_gradients, stop_at, gen_alpha_slider, methods)
    methods = _check_methods(methods)
    if methods and method not in methods:
        raise ValueError(f"method {method!r} must be one of methods {methods}")
    if not isinstance(seed, numbers.Integral):  # a random generator would start each release elsewhere
        raise TypeError(f"seed must be a whole number, so that every slider release starts from the same "
                        f"network, got {_show(seed)}")
    epochs = check_int("epochs", epochs, low=1)
    if epochs > MAX_EPOCHS:
        raise ValueError(f"epochs must be at most {MAX_EPOCHS} in an explorer, got {epochs}: every slider release "
                         f"retrains the whole run, and {MAX_EPOCHS} epochs of 100 sums already take about 4 s "
                         f"(for a longer run, call dc.train)")
    batch_size = check_int("batch_size", batch_size, low=1, high=len(data))
    alpha = _check_slider_value("alpha", alpha)
    gen_alpha = _check_slider_value("gen_alpha", gen_alpha) if gen_alpha_slider else check_positive("gen_alpha", gen_alpha)
    offered = methods or [method]
    without = [m for m in offered if m not in SYNTHETIC]
    if show_gradients and without:
        raise ValueError(f"show_gradients needs method 'dni' or 'cdni' (and only those in methods): "
                         f"{without[0]!r} has no synthetic gradients")
    if gen_alpha_slider and len(without) == len(offered):
        raise ValueError(f"gen_alpha_slider needs method 'dni' or 'cdni' (or one of them in methods): "
                         f"{without[0]!r} has no generators")
    default_batch = batch_size

    def run(settings, progress):
        net = Network.create(sizes, seed=seed, **data.network)
        planned = epochs_within_budget(epochs, len(data), settings["batch_size"], default_batch)
        step = max(1, planned // 20)

        def on_epoch(epoch, history):
            if epoch % step == 0:
                progress(epoch, planned)

        def stop_when(history):
            history.settled = settled(history, planned)
            return history.settled

        # Held-out scores and gradient records about 30 times per run, not every epoch: measuring
        # 1000 held-out sums every epoch doubled backprop's training time (0.23 s against 0.12 s).
        history = train(net, data, method=settings["method"], alpha=settings["alpha"],
                        batch_size=settings["batch_size"], epochs=planned, test=test,
                        track_gradients=show_gradients, gen_alpha=settings["gen_alpha"], stop_at=stop_at,
                        on_epoch=on_epoch, stop_when=stop_when, measure_every=max(1, planned // MEASUREMENTS))
        history.planned_epochs = planned
        return history

    def draw(history, fig):
        if show_gradients:
            alignment_curves(history, fig=fig)
        else:
            training_curves([history], fig=fig, title=f"{NAMES[history.method]} on {data.name}")
        explorer_frame(fig, history.planned_epochs)  # the epochs asked for, even after a settled stop

    return Explorer(run, draw, lambda h: summary_line(h, len(data), epochs),
                    lambda h: figure_text(h, show_gradients), alpha=alpha, batch_size=batch_size,
                    batch_sizes=batch_size_choices(len(data), batch_size), methods=methods, method=method,
                    alpha_range=_covering(ALPHA_RANGE, alpha), gen_alpha=gen_alpha, gen_alpha_slider=gen_alpha_slider,
                    gen_alpha_range=_covering(GEN_ALPHA_RANGE, gen_alpha) if gen_alpha_slider else GEN_ALPHA_RANGE)


# --- Argument checks of the explorer

def check_optional_int(name, value, low=None, high=None):
    """None, or a whole number in [low, high]."""
    return None if value is None else check_int(name, value, low=low, high=high)


def _check_explorer_args(data, test, sizes, seed, alpha, show_gradients, stop_at, gen_alpha_slider=False,
                         methods=None):
    """The settings of ``widgets.training_explorer`` that it hands on to ``train`` later: checked
    up front, so that a bad one stops the cell instead of showing up as a status line."""
    check_task("data", data)
    if test is not None:
        data.check_test(check_task("test", test))
    sizes = check_sizes("sizes", sizes)
    if (sizes[0], sizes[-1]) != (data.n_inputs, data.n_outputs):
        raise ValueError(f"sizes must start with {data.n_inputs} inputs and end with {data.n_outputs} outputs for "
                         f"{data.examples}, got {sizes}")
    make_rng(seed)
    check_positive("alpha", alpha)
    check_bool("show_gradients", show_gradients)
    check_bool("gen_alpha_slider", gen_alpha_slider)
    if stop_at is not None:
        check_fraction("stop_at", stop_at)
    if methods is not None and (isinstance(methods, (str, bytes)) or not isinstance(methods, (list, tuple))):
        raise TypeError(f"methods must be None or a list of method names such as ['backprop', 'dni'], "
                        f"got {_show(methods)}")
    return tuple(sizes)
