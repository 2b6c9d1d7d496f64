"""Sliders that retrain and redraw (notebooks 02, 04 and 05).

The explorer renders one reused figure to PNG and puts it in an ``Image`` widget of fixed
height, so a new setting replaces the picture in place: no duplicated figures, no flicker.
Sliders act on release (``continuous_update=False``). A run that diverges, or a bad
setting, shows a one-line message instead of a traceback.
"""
import html

import ipywidgets as widgets

from .checks import check_choice, check_int
from .layers import Network
from .plots import NAMES, alignment_curves, to_png, training_curves
from .training import GEN_ALPHA, METHODS, TrainingDiverged, train


class Explorer:
    """Alpha (log scale) and batch-size sliders, optionally a method choice, and a figure.

    ``run(alpha, batch_size, method, progress)`` trains and returns a result;
    ``draw(result, fig)`` draws it into ``fig``; ``describe(result)`` gives one line of text.
    ``progress(done, total)`` may be called by ``run`` to move the progress bar.
    """

    def __init__(self, run, draw, describe, alpha=1.0, batch_size=10, max_batch=100,
                 methods=None, method="backprop", alpha_range=(1e-3, 10.0), figsize=(10, 3.6)):
        from matplotlib.figure import Figure

        self._run, self._draw, self._describe = run, draw, describe
        # Fixed margins instead of a layout engine: constrained layout would double the
        # time from slider release to picture, and the explorer's panels never change shape.
        self.figure = Figure(figsize=figsize)
        self.figure.subplots_adjust(left=0.08, right=0.985, bottom=0.14, top=0.8, wspace=0.22)
        slider = dict(continuous_update=False, style={"description_width": "initial"},
                      layout=widgets.Layout(width="320px"))
        self.alpha = widgets.FloatLogSlider(value=alpha, base=10, min=_log10(alpha_range[0]),
                                            max=_log10(alpha_range[1]), step=0.1,
                                            description="alpha (learning rate)", readout_format=".3g", **slider)
        self.batch_size = widgets.IntSlider(value=batch_size, min=1, max=max_batch,
                                            description="batch size", **slider)
        controls = [self.alpha, self.batch_size]
        self.method = None
        if methods:
            self.method = widgets.ToggleButtons(options=[(NAMES[m], m) for m in methods], value=method,
                                                description="method", style={"button_width": "100px"})
            controls.append(self.method)
        self._fixed_method = method
        self.progress = widgets.IntProgress(value=0, min=0, max=100, layout=widgets.Layout(width="200px"))
        self.status = widgets.HTML()
        height = f"{int(figsize[1] * 80) + 10}px"
        self.image = widgets.Image(format="png", layout=widgets.Layout(height=height, object_fit="contain"))
        self.widget = widgets.VBox([widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap")),
                                    widgets.HBox([self.progress, self.status]), self.image])
        for control in controls:
            control.observe(self._on_change, names="value")
        self.result = None
        self.update()

    def settings(self):
        method = self.method.value if self.method is not None else self._fixed_method
        return self.alpha.value, self.batch_size.value, method

    def _on_change(self, change):
        self.update()

    def _set_progress(self, done, total):
        self.progress.max = total
        self.progress.value = done

    def update(self):
        """Retrain with the current settings and redraw; on failure say why in the status line."""
        alpha, batch_size, method = self.settings()
        self.status.value = f"training {html.escape(NAMES.get(method, str(method)))} ..."
        self.progress.value = 0
        try:
            result = self._run(alpha, batch_size, method, self._set_progress)
        except (TrainingDiverged, ValueError, TypeError) as error:
            self.result = None
            self.image.layout.visibility = "hidden"
            self.status.value = f"<b>No figure:</b> {html.escape(str(error))}"
            return
        self.result = result
        self._draw(result, self.figure)
        self.image.value = to_png(self.figure)
        self.image.layout.visibility = "visible"
        self.status.value = html.escape(self._describe(result))

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # nbval compares text/plain: keep it short and stable instead of the widget tree.
        bundle["text/plain"] = "Explorer: sliders for alpha and batch size (run the notebook to use them)"
        return bundle


def _log10(value):
    import math

    return math.log10(value)


def summary_line(history, n_examples=None):
    """One line about a finished run, for the explorer's status."""
    name = NAMES[history.method]
    reached = history.epochs_to(0.99)
    first = f"99% training bit accuracy at epoch {reached}" if reached else \
        f"{history.final()['bit_accuracy']:.0%} training bit accuracy after {history.epochs[-1]} epochs"
    text = f"{name}, alpha {history.alpha:.3g}, batch {history.batch_size}: {first} ({history.seconds:.2f} s)"
    if history.test:
        text += f"; held-out bit accuracy {history.final('test')['bit_accuracy']:.0%}"
    if n_examples and n_examples % history.batch_size:
        text += f" (batch size does not divide {n_examples}: each epoch ends with a batch of {n_examples % history.batch_size})"
    return text


def training_explorer(data, test=None, sizes=(16, 64, 32, 8), method="backprop", methods=None,
                      alpha=1.0, batch_size=10, epochs=300, seed=0, show_gradients=False,
                      gen_alpha=GEN_ALPHA, stop_at=None):
    """An explorer that trains a fresh network (same seed each time) on ``data``.

    ``methods`` adds a choice between methods; ``show_gradients`` draws the synthetic
    gradients' alignment instead of the learning curves (DNI and cDNI only).
    """
    check_choice("method", method, METHODS)
    for m in methods or ():
        check_choice("each of methods", m, METHODS)
    epochs = check_int("epochs", epochs, low=1)
    if show_gradients and (method == "backprop" or (methods and "backprop" in methods)):
        raise ValueError("show_gradients needs method 'dni' or 'cdni': backprop has no synthetic gradients")

    def run(alpha, batch_size, method, progress):
        net = Network.create(sizes, seed=seed)
        step = max(1, epochs // 20)

        def on_epoch(epoch, history):
            if epoch % step == 0:
                progress(epoch, epochs)

        return train(net, data, method=method, alpha=alpha, batch_size=batch_size, epochs=epochs,
                     test=test, track_gradients=show_gradients, gen_alpha=gen_alpha,
                     stop_at=stop_at, on_epoch=on_epoch)

    def draw(history, fig):
        if show_gradients:
            alignment_curves(history, fig=fig)
        else:
            training_curves([history], fig=fig, title=f"{NAMES[history.method]} on {data.bits}-bit addition")

    return Explorer(run, draw, lambda h: summary_line(h, len(data)), alpha=alpha, batch_size=batch_size, max_batch=len(data),
                    methods=methods, method=method)
