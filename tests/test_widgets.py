"""The explorers' callbacks, driven by setting widget values (no browser)."""
import base64
import html
import io
import re
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

import dni_course as dc
from dni_course.widgets import batch_size_choices, epochs_within_budget, settled


@pytest.fixture
def explorer(task):
    train, test = task
    return dc.widgets.training_explorer(train, test, methods=["backprop", "dni", "cdni"],
                                        method="backprop", alpha=1.0, batch_size=10, epochs=60)


def picture(explorer):
    """The PNG bytes and the alt text of the explorer's <img>."""
    match = re.fullmatch(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)" width="\d+" height="\d+">',
                         explorer.picture.value)
    assert match, explorer.picture.value[:200]
    return base64.b64decode(match.group(1)), html.unescape(match.group(2))


def test_sliders_act_on_release_and_alpha_is_log_scale(explorer):
    assert explorer.alpha.continuous_update is False
    assert explorer.alpha.base == 10 and explorer.alpha.min < 0 < explorer.alpha.max


def test_moving_a_slider_retrains_and_redraws(explorer):
    first_png, _ = picture(explorer)
    first = explorer.result
    explorer.alpha.value = 0.1
    png, alt = picture(explorer)
    assert explorer.result is not first and explorer.result.alpha == pytest.approx(0.1)
    assert png != first_png and png[:4] == b"\x89PNG"
    assert "alpha 0.1" in explorer.status.value and "alpha 0.1" in alt


def test_figure_has_a_text_alternative_with_the_result(explorer):
    _, alt = picture(explorer)
    final = explorer.result.final()["bit_accuracy"]
    assert "backprop" in alt and "loss" in alt and "bit accuracy" in alt
    assert f"to {final:.0%}" in alt
    assert f"held-out bit accuracy ends at {explorer.result.final('test')['bit_accuracy']:.0%}" in alt


def test_batch_sizes_offered_are_divisors_and_a_few_others():
    assert batch_size_choices(100) == [1, 2, 3, 4, 5, 7, 10, 16, 20, 25, 32, 50, 64, 100]
    assert batch_size_choices(12, default=11) == [1, 2, 3, 4, 6, 7, 11, 12]
    with pytest.raises(ValueError, match="default"):  # the argument's own name (issue 16, F11)
        batch_size_choices(12, default=13)


def test_update_budget_gives_small_batches_fewer_epochs():
    # 300 epochs at batch 10 of 100 examples = 3000 updates; batch 1 makes 100 a epoch.
    assert epochs_within_budget(300, 100, 1, 10) == 30
    assert epochs_within_budget(300, 100, 10, 10) == 300
    assert epochs_within_budget(300, 100, 100, 10) == 300  # never more epochs than asked
    assert epochs_within_budget(300, 100, 7, 10) == 200  # 15 batches a epoch (the last one of 2)
    assert epochs_within_budget(4, 1000, 1, 10) == 1  # at least one epoch


def test_batch_size_and_method_reach_the_training(explorer):
    assert 7 in explorer.batch_size.options and 1 in explorer.batch_size.options
    explorer.batch_size.value = 7
    assert explorer.result.batch_size == 7
    assert "batch of 2" in explorer.status.value  # 100 examples in batches of 7
    explorer.method.value = "cdni"
    assert explorer.result.method == "cdni" and "cDNI" in explorer.status.value


def test_batch_of_one_trains_fewer_epochs_and_says_so(explorer):
    explorer.batch_size.value = 1
    assert explorer.result.epochs[-1] == 6  # 60 epochs x 10 updates = 600 updates = 6 epochs of 100
    assert "trains 6 epochs, not 60" in explorer.status.value and "600 weight updates" in explorer.status.value
    explorer.batch_size.value = 10
    assert explorer.result.epochs[-1] == 60 and "not 60" not in explorer.status.value


def test_progress_moves_while_training_and_resets_when_done(task):
    train, test = task
    seen = []
    explorer = dc.widgets.training_explorer(train, method="backprop", epochs=40)
    explorer.progress.observe(lambda change: seen.append((change["new"], "dni-stale" in explorer.picture._dom_classes)),
                              names="value")
    explorer.alpha.value = 0.5
    moving = [value for value, _ in seen if value > 0]
    assert moving and max(moving) == 40 == explorer.progress.max
    assert all(stale for value, stale in seen if value > 0)  # the old figure is dimmed meanwhile
    assert explorer.progress.value == 0 and "dni-stale" not in explorer.picture._dom_classes


def test_layout_heights_are_fixed(explorer):
    assert explorer.status.layout.height and explorer.picture.layout.height
    assert explorer.progress.layout.height


def test_generator_alpha_slider_reaches_the_generators(task):
    train, test = task
    explorer = dc.widgets.training_explorer(train, methods=["backprop", "cdni"], method="cdni", alpha=1.0,
                                            epochs=20, gen_alpha=0.01, gen_alpha_slider=True)
    assert explorer.gen_alpha.value == pytest.approx(0.01) and not explorer.gen_alpha.disabled
    first = explorer.result.generators[0].parameters()[0].copy()
    explorer.gen_alpha.value = 0.1
    assert explorer.settings()["gen_alpha"] == pytest.approx(0.1)
    assert not (explorer.result.generators[0].parameters()[0] == first).all()
    explorer.method.value = "backprop"
    assert explorer.gen_alpha.disabled  # backprop has no generators


def test_without_the_slider_gen_alpha_still_reaches_training(task):
    train, _ = task
    explorer = dc.widgets.training_explorer(train, method="cdni", epochs=5, gen_alpha=0.2)
    assert explorer.gen_alpha is None and explorer.settings()["gen_alpha"] == 0.2


@pytest.mark.parametrize("kwargs, words", [
    (dict(gen_alpha_slider=True), ["gen_alpha_slider", "backprop"]),
    (dict(methods=["dni", "cdni"], method="backprop"), ["method", "'backprop'", "methods"]),
    (dict(batch_size=0), ["batch_size", "0"]),
    (dict(gen_alpha=-1.0), ["gen_alpha", "-1"]),
])
def test_bad_settings_are_refused_with_a_clear_message(task, kwargs, words):
    train, _ = task
    with pytest.raises(ValueError) as error:
        dc.widgets.training_explorer(train, epochs=5, **kwargs)
    for word in words:
        assert word in str(error.value)


def test_diverging_setting_shows_a_message_not_a_figure(task):
    train, test = task
    explorer = dc.widgets.training_explorer(train, test, method="cdni", epochs=30, gen_alpha=5.0)
    assert explorer.result is None
    assert "diverged" in explorer.status.value and "smaller alpha" in explorer.status.value
    assert explorer.picture.value == "" and explorer.progress.value == 0
    assert "dni-stale" not in explorer.picture._dom_classes


def test_gradient_explorer_draws_alignment(task):
    train, test = task
    explorer = dc.widgets.training_explorer(train, test, method="dni", alpha=0.1, epochs=20, show_gradients=True)
    assert len(explorer.result.alignment) == 20
    assert "Cosine" in explorer.figure.axes[0].get_title()
    _, alt = picture(explorer)
    assert "cosine similarity" in alt and f"layer 1 {explorer.result.alignment[-1][0]:.2f}" in alt


def test_plain_text_form_is_short_and_stable(explorer):
    text = explorer._repr_mimebundle_()["text/plain"]
    assert text.startswith("Explorer:") and "\n" not in text


# --- Bad settings: a clear error that names the setting and what is allowed, never a silent change ---

import os  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from dni_course import widgets  # noqa: E402

DATA = dc.addition_data(bits=4, n_examples=12, seed=0)
TEST = dc.held_out_data(DATA, n_examples=20, seed=1)
SMALL = dict(sizes=(8, 6, 4), epochs=2, batch_size=4)
QUIET = dict(run=lambda settings, progress: dict(settings), draw=lambda result, fig: None,
             describe=lambda result: "done", alt=lambda result: "a figure")


def bare(**kwargs):
    """An explorer whose run only returns its settings: it checks and builds the controls."""
    return widgets.Explorer(**{**QUIET, **kwargs})


def run_of(method, **kw):
    return dc.train(dc.Network.create([8, 6, 4], seed=0), DATA, method=method, alpha=0.5, batch_size=4, epochs=2,
                    test=TEST, **kw)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(methods=["nope"]), ValueError, ["methods", "'nope'", "'dni'"]),
    (dict(methods=["dni"], method="cdni"), ValueError, ["method", "'cdni'", "methods"]),
    (dict(methods=["dni", "dni"], method="dni"), ValueError, ["methods", "once"]),
    (dict(methods=[]), ValueError, ["methods", "at least one"]),
    (dict(methods="dni"), TypeError, ["methods", "list"]),
    (dict(method="sgd"), ValueError, ["method", "'backprop'", "'sgd'"]),
    (dict(gen_alpha=[0.1]), TypeError, ["gen_alpha", "number", "list"]),
    (dict(gen_alpha=0.0), ValueError, ["gen_alpha", "above 0"]),
    (dict(gen_alpha_range=(0, 1)), ValueError, ["gen_alpha_range", "above 0"]),
    (dict(gen_alpha_range=(1.0, 0.1)), ValueError, ["gen_alpha_range", "low < high"]),
    (dict(gen_alpha_range=(1e-20, 1.0)), ValueError, ["gen_alpha_range", "1e-12"]),
    (dict(gen_alpha_range=0.5), TypeError, ["gen_alpha_range", "pair"]),
    (dict(method="dni", gen_alpha=5.0, gen_alpha_slider=True), ValueError,
     ["gen_alpha", "gen_alpha_range", "from 0.001 to 1", "5.0"]),
    (dict(alpha=20.0), ValueError, ["alpha", "alpha_range", "from 0.001 to 10", "20.0"]),
    (dict(alpha_range=(0, 10)), ValueError, ["alpha_range", "above 0"]),
    (dict(gen_alpha_slider="yes"), TypeError, ["gen_alpha_slider", "True or False"]),
    (dict(figsize=(100, 100)), ValueError, ["figsize", "8000 x 8000", "4000"]),
    (dict(figsize=(9,)), TypeError, ["figsize", "pair"]),
    (dict(dpi=1), ValueError, ["dpi", "9 x 3", "100"]),
    (dict(batch_size=7), ValueError, ["batch_size", "batch_sizes", "7"]),
    (dict(run=None), TypeError, ["run", "function"]),
])
def test_explorer_refuses_bad_settings_by_name(kwargs, error, words):
    with pytest.raises(error) as caught:
        bare(**kwargs)
    for word in words:
        assert word in str(caught.value), str(caught.value)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(epochs=10 ** 9), ValueError, ["epochs", "at most 10000", "slider release"]),
    (dict(seed=np.random.default_rng(0)), TypeError, ["seed", "whole number", "same network"]),
    (dict(methods=["dni", "output_only"], method="dni", show_gradients=True), ValueError,
     ["show_gradients", "'output_only'"]),
    (dict(method="output_only", gen_alpha_slider=True), ValueError, ["gen_alpha_slider", "'output_only'"]),
    (dict(alpha=1e20), ValueError, ["alpha", "1e+12"]),
    (dict(method="dni", gen_alpha=1e-20, gen_alpha_slider=True), ValueError, ["gen_alpha", "1e-12"]),
    (dict(methods=["dni", "dni"], method="dni"), ValueError, ["methods", "once"]),
])
def test_training_explorer_refuses_bad_settings_by_name(kwargs, error, words):
    with pytest.raises(error) as caught:
        dc.widgets.training_explorer(DATA, **{**SMALL, **kwargs})
    for word in words:
        assert word in str(caught.value), str(caught.value)


def spy_on_train(monkeypatch):
    """Record the keyword arguments every training run of an explorer gets."""
    calls = []
    real = widgets.train

    def train(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(widgets, "train", train)
    return calls


@pytest.mark.parametrize("gen_alpha", [5.0, 3e-5, 1e-3, 1.0])
def test_a_generator_alpha_outside_the_slider_range_is_what_trains(monkeypatch, gen_alpha):
    calls = spy_on_train(monkeypatch)
    explorer = dc.widgets.training_explorer(DATA, method="dni", gen_alpha=gen_alpha, gen_alpha_slider=True, **SMALL)
    assert explorer.gen_alpha.value == gen_alpha  # the slider was widened, not clamped
    assert 10 ** explorer.gen_alpha.min <= gen_alpha <= 10 ** explorer.gen_alpha.max
    assert calls[-1]["gen_alpha"] == gen_alpha
    if 1e-3 <= gen_alpha <= 1.0:  # inside the usual range, the usual slider
        assert (explorer.gen_alpha.min, explorer.gen_alpha.max) == (-3, 0)


@pytest.mark.parametrize("alpha", [50.0, 2e-5])
def test_an_alpha_outside_the_slider_range_is_what_trains(monkeypatch, alpha):
    calls = spy_on_train(monkeypatch)
    explorer = dc.widgets.training_explorer(DATA, alpha=alpha, **SMALL)
    assert explorer.alpha.value == alpha and calls[-1]["alpha"] == alpha


def test_the_generator_slider_is_off_for_methods_without_generators():
    explorer = dc.widgets.training_explorer(DATA, methods=["output_only", "dni"], method="dni",
                                            gen_alpha_slider=True, **SMALL)
    assert not explorer.gen_alpha.disabled
    explorer.method.value = "output_only"
    assert explorer.gen_alpha.disabled


def test_figure_text_without_gradient_records_says_so():
    for history in (run_of("backprop"), run_of("dni")):  # the DNI run was trained without track_gradients
        with pytest.raises(ValueError) as caught:
            widgets.figure_text(history, show_gradients=True)
        for word in ("show_gradients", "track_gradients", "show_gradients=False"):
            assert word in str(caught.value)
    assert "cosine similarity" in widgets.figure_text(run_of("dni", track_gradients=True), show_gradients=True)


def test_a_run_that_is_not_on_the_addition_task_is_refused_by_name():
    import copy

    digits_like = copy.copy(run_of("backprop"))
    digits_like.train = [{"loss": 0.5, "accuracy": 0.5}]
    for call in (widgets.summary_line, widgets.figure_text):
        with pytest.raises(ValueError, match="history must be a run on the addition task"):
            call(digits_like)


def test_huge_sizes_answer_at_once():
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match="n_examples must be at most 10000000"):
        batch_size_choices(10 ** 12)
    assert epochs_within_budget(300, 10 ** 15, 1, 10) == 30  # no list of 10**15 batches
    assert batch_size_choices(10 ** 7)[-1] == 10 ** 7
    assert time.perf_counter() - start < 2


# Hypothesis: random bad values of each setting are refused with an error naming it, or they work, and
# then the controls hold exactly the value asked for.

class Thing:
    def __repr__(self):
        return "Thing()"


TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=6)
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), st.floats(), TEXT, st.just(Thing()),
                 st.just({}), st.just(1j), st.lists(st.one_of(st.integers(-3, 200), st.floats(), TEXT), max_size=3),
                 st.just(np.zeros(2)), st.just(DATA))
RATES = st.one_of(JUNK, st.floats(-1, 1e14), st.floats(1e-14, 20), st.sampled_from([1e-12, 1e12, 5.0, 0.5]))
RANGES = st.one_of(JUNK, st.tuples(st.floats(-1, 1e13), st.floats(-1, 1e13)), st.tuples(RATES, RATES))
METHOD_LISTS = st.one_of(JUNK, st.lists(st.sampled_from(dc.METHODS + ("sgd",)), max_size=4), st.just(dc.METHODS))
PROPERTY = settings(max_examples=15, deadline=None, database=None, derandomize=not os.environ.get("DNI_EXPLORE"),
                    suppress_health_check=[HealthCheck.too_slow])


def holds(explorer, name, value):
    """What the explorer holds for the setting ``name`` after it accepted ``value``."""
    if name in ("alpha", "batch_size", "method", "gen_alpha"):
        return explorer.settings()[name] == value
    if name == "methods":
        return explorer.method is None if value is None else [m for _, m in explorer.method.options] == list(value)
    if name in ("alpha_range", "gen_alpha_range"):
        slider = getattr(explorer, name[:-6])
        return slider is None or 10 ** slider.min <= value[0] and value[1] <= 10 ** slider.max
    if name == "figsize":
        return tuple(explorer.figure.get_size_inches()) == tuple(value)
    if name == "dpi":
        return explorer.dpi == value
    if name == "batch_sizes":
        return list(explorer.batch_size.options) == list(value)
    if name == "gen_alpha_slider":
        return (explorer.gen_alpha is not None) == value
    return True


EXPLORER_CASES = {
    "alpha": RATES, "gen_alpha": RATES, "batch_size": st.one_of(JUNK, st.integers(-2, 200)),
    "batch_sizes": st.one_of(JUNK, st.lists(st.integers(-1, 50), max_size=3)), "method": st.one_of(
        JUNK, st.sampled_from(dc.METHODS + ("sgd", "DNI"))), "methods": METHOD_LISTS, "alpha_range": RANGES,
    "gen_alpha_range": RANGES, "gen_alpha_slider": st.one_of(JUNK, st.booleans()),
    "figsize": st.one_of(JUNK, st.tuples(st.floats(-1, 100), st.floats(-1, 100))),
    "dpi": st.one_of(JUNK, st.floats(-1, 2000)),
}
# the other settings, so that the one under test decides: batch 10 is offered, the method is in methods
BASE = dict(method="dni", batch_sizes=[1, 10, 100])


@pytest.mark.parametrize("name", EXPLORER_CASES)
@PROPERTY
@given(data=st.data())
def test_explorer_settings_are_refused_by_name_or_held_exactly(name, data):
    value = data.draw(EXPLORER_CASES[name], label=name)
    kwargs = {**BASE, name: value}
    if name == "methods" and isinstance(value, (list, tuple)) and value and value[0] in dc.METHODS:
        kwargs["method"] = value[0]
    if name == "gen_alpha":
        kwargs["gen_alpha_slider"] = True
    try:
        explorer = bare(**kwargs)
    except (TypeError, ValueError) as error:  # any other exception fails the test
        message = str(error)
        assert name in message and "must" in message, f"{name}={value!r}: {message}"
        return
    assert holds(explorer, name, value), f"{name}={value!r} became something else"


TRAINING_CASES = {
    "alpha": RATES, "gen_alpha": RATES, "epochs": st.one_of(JUNK, st.integers(-2, 10 ** 12)),
    "batch_size": st.one_of(JUNK, st.integers(-2, 20)), "method": st.one_of(JUNK, st.sampled_from(dc.METHODS)),
    "methods": METHOD_LISTS, "seed": st.one_of(JUNK, st.integers(-3, 2 ** 70), st.just(np.random.default_rng(0))),
    "stop_at": st.one_of(JUNK, st.floats(-1, 2)), "show_gradients": st.one_of(JUNK, st.booleans()),
    "gen_alpha_slider": st.one_of(JUNK, st.booleans()),
}


@pytest.mark.parametrize("name", TRAINING_CASES)
@settings(PROPERTY, max_examples=10)
@given(data=st.data())
def test_training_explorer_settings_are_refused_by_name_or_trained_as_asked(name, data):
    value = data.draw(TRAINING_CASES[name], label=name)
    with pytest.MonkeyPatch.context() as patch:
        trained_as_asked(name, value, spy_on_train(patch))


def trained_as_asked(name, value, calls):
    kwargs = {**SMALL, "method": "cdni", "epochs": 1, name: value}
    if name == "methods" and isinstance(value, (list, tuple)) and value and value[0] in dc.METHODS:
        kwargs["method"] = value[0]
    if name == "gen_alpha":
        kwargs["gen_alpha_slider"] = True
    if name == "epochs" and isinstance(value, int) and value > 50:
        kwargs["stop_at"] = 0.0  # a long run asked for, stopped after its first epoch
    try:
        explorer = dc.widgets.training_explorer(DATA, **kwargs)
    except (TypeError, ValueError) as error:
        message = str(error)
        assert name in message and "must" in message, f"{name}={value!r}: {message}"
        return
    if name in ("alpha", "gen_alpha", "batch_size", "method"):
        assert explorer.settings()[name] == value and calls[-1][name] == value
    if name == "epochs":
        assert calls[-1]["epochs"] == value
    if name == "stop_at":
        assert calls[-1]["stop_at"] == value


def test_the_explorers_figure_text_is_at_least_10_px(explorer):
    fig = explorer.figure
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(sizes) * explorer.dpi / 72 >= 10  # a point is dpi / 72 pixels


# --- Answering at once (issue 22): a settled run stops, the figure is redrawn over a kept frame,
# the PNG is lighter, and the feedback (dimmed figure, progress) comes before the new figure.

def record(scores, losses, held_out=None, measured=None):
    """A run as ``settled`` reads it: training score and loss per epoch, held-out scores at ``measured``."""
    epochs = list(range(1, len(scores) + 1))
    measured = epochs if measured is None else measured
    test = [] if held_out is None else [{"bit_accuracy": h, "loss": 0.3} for h in held_out]
    return SimpleNamespace(epochs=epochs, train=[{"bit_accuracy": a, "loss": l} for a, l in zip(scores, losses)],
                           measured=measured, test=test, metric="bit_accuracy")


def test_settled_needs_a_finished_flat_run_and_not_just_a_flat_one():
    flat = [1.0] * 100
    slow = list(np.geomspace(0.01, 0.0095, 100))  # 5% less in the last 100 epochs
    assert settled(record(flat, slow, held_out=[0.58] * 100), planned=300)
    # A run stalled below 99%, as DNI stalls at about 58% before it learns (notebook 04): flat,
    # but not done. A criterion of "nothing moves" alone would stop it here.
    assert not settled(record([0.58] * 100, [0.24] * 100, held_out=[0.53] * 100), planned=300)
    # at 99% only since the last epoch: still climbing within the window
    assert not settled(record([0.95] * 60 + [0.995] * 40, slow), planned=300)
    # at 100%, but the loss still falls by a third over the window: the loss panel would go on
    assert not settled(record(flat, list(np.geomspace(0.01, 0.0066, 100))), planned=300)
    # the held-out score still moves by 3 points
    assert not settled(record(flat, slow, held_out=list(np.linspace(0.55, 0.58, 100))), planned=300)
    # only where the held-out curve was measured too, never at the last epoch, never before a whole window
    assert not settled(record(flat, slow, held_out=[0.58] * 10, measured=list(range(5, 100, 10))), planned=300)
    assert not settled(record(flat, slow), planned=100)
    assert not settled(record(flat[:50], slow[:50]), planned=300)  # the window is 60 epochs of 300


def test_a_settled_run_ends_where_the_whole_run_would(task):
    """The stop changes nothing the figure shows: the whole run, trained on, ends within a point
    of the stopped run's scores and its loss within 30% (under 0.15 of a decade on the log axis)."""
    train, test = task
    explorer = dc.widgets.training_explorer(train, test, method="backprop", alpha=1.0, batch_size=10, epochs=300)
    stopped = explorer.result
    assert stopped.settled and stopped.epochs[-1] < 300 and stopped.measured[-1] == stopped.epochs[-1]
    assert f"Stopped at epoch {stopped.epochs[-1]} of 300: settled" in explorer.status.value
    whole = dc.train(dc.Network.create((16, 64, 32, 8), seed=0), train, method="backprop", alpha=1.0,
                     batch_size=10, epochs=300, test=test)
    for split in ("train", "test"):
        assert abs(whole.final(split)["bit_accuracy"] - stopped.final(split)["bit_accuracy"]) <= 0.01
    assert 0.7 * stopped.final()["loss"] <= whole.final()["loss"] <= stopped.final()["loss"]
    # stopping at 99% instead (epoch 84 here) would miss most of the loss's fall: this check sees it
    reached = stopped.epochs_to(0.99)
    assert whole.final()["loss"] < 0.7 * stopped.train[reached - 1]["loss"]
    assert explorer.figure.axes[0].get_xlim() == (0, 300)  # the axis still shows the epochs asked for


def test_a_stalled_run_is_not_stopped(task):
    train, test = task
    explorer = dc.widgets.training_explorer(train, test, method="dni", alpha=0.1, epochs=200, show_gradients=True)
    assert explorer.result.epochs[-1] == 200 and not getattr(explorer.result, "settled", False)
    assert "settled" not in explorer.status.value


def test_held_out_scores_are_measured_about_30_times(explorer):
    explorer.alpha.value = 0.5  # 60 epochs: every second one, and the last
    result = explorer.result
    assert len(result.measured) == 30 == len(result.test) and result.measured[-1] == result.epochs[-1]


def pixels(canvas):
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)


def full_redraw(fig, dpi):
    """The figure drawn as a whole, as to_png draws it."""
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    return pixels(canvas)


def test_the_quick_picture_is_the_full_redraw_of_a_fresh_figure(explorer):
    """Kept panels and a kept frame draw what a new figure drawn as a whole would: over releases
    that keep the frame (alpha, method) and ones that change it (batch size: other epochs)."""
    for name, value in [("alpha", 0.3), ("method", "cdni"), ("alpha", 1.0), ("batch_size", 7), ("alpha", 0.3),
                        ("method", "dni"), ("batch_size", 10)]:
        getattr(explorer, name).value = value
        quick = pixels(explorer._quick.canvas)
        fresh = Figure(figsize=(9, 3.4))
        fresh.subplots_adjust(left=0.095, right=0.985, bottom=0.16, top=0.8, wspace=0.3)
        explorer._draw(explorer.result, fresh)
        whole = full_redraw(fresh, explorer.dpi)
        assert quick.shape == whole.shape
        assert (np.abs(quick - whole).max(axis=2) > 0).mean() < 0.0002, f"{name}={value}"
        assert (explorer.timings["train"] > 0) and (explorer.timings["draw"] > 0)
    assert len(explorer._quick.frames) == 2  # one frame per batch size: the others were kept ones


def test_the_lighter_png_keeps_the_picture(explorer):
    png, _ = picture(explorer)
    image = Image.open(io.BytesIO(png))
    shown = np.asarray(image.convert("RGB")).astype(int)
    drawn = pixels(explorer._quick.canvas)
    assert image.size == (720, 272) and shown.shape == drawn.shape
    error = np.abs(shown - drawn).max(axis=2)
    assert error.max() <= 16 and error.mean() < 2  # a few levels of 255, on anti-aliased edges


def events_of(explorer, control, value):
    """The order in which a release changes what the student sees."""
    events = []
    # "progress": the bar partly filled, so the run is still training
    explorer.progress.observe(lambda c: 0 < c["new"] < explorer.progress.max and events.append("progress"),
                              names="value")
    explorer.picture.observe(lambda c: events.append("stale" if "dni-stale" in c["new"] else "fresh"),
                             names="_dom_classes")
    explorer.picture.observe(lambda c: events.append("figure"), names="value")
    explorer.status.observe(lambda c: events.append("training" if c["new"].startswith("Training") else "status"),
                            names="value")
    control.value = value
    return events


def test_feedback_comes_before_the_new_figure(task):
    train, test = task
    explorer = dc.widgets.training_explorer(train, test, method="cdni", epochs=40)
    events = events_of(explorer, explorer.alpha, 0.5)
    assert events.index("training") < events.index("stale") < events.index("progress") < events.index("figure")
    assert events.index("figure") < events.index("fresh") and events.count("figure") == 1


def test_the_delay_explorer_dims_its_figure_and_shows_progress(task):
    train, _ = task
    explorer = dc.devices.DelayExplorer(train, delay=2, max_delay=10, epochs=30)
    events = events_of(explorer, explorer.slider, 5)
    assert events.index("training") < events.index("stale") < events.index("progress") < events.index("figure")
    assert explorer.progress.value == 0 and "dni-stale" not in explorer.picture._dom_classes
    assert explorer.run.target_delay == 5 and "targets 5 batches late" in explorer.status.value
    assert explorer.status.layout.height and explorer.picture.layout.height and explorer.progress.layout.height
    assert explorer.timings["train"] > 0 and explorer.timings["draw"] > 0
    fig = explorer.figure
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(sizes) * explorer.dpi / 72 >= 10
    assert re.fullmatch(r'<img src="data:image/png;base64,[^"]+" alt="Training bit accuracy per epoch, targets 5 '
                        r'batches late[^"]*" width="640" height="256">', explorer.picture.value)


def test_a_kept_frame_never_keeps_what_a_run_drew():
    """Any explorer's drawing (here bands, bars and a log axis that follow alpha) comes out as a
    full redraw would draw it, also when the frame is a kept one."""
    def draw(settings, fig):
        if not fig.axes:
            fig.subplots(1, 2)
        left, right = fig.axes
        for ax in fig.axes:
            for artist in [*ax.lines, *ax.collections, *ax.patches]:
                artist.remove()
        a = settings["alpha"]
        left.fill_between([0, 1, 2], [0, a, 0], color="#0072B2")
        left.bar([0.5, 1.5], [a, 1 - a / 10], color="#D55E00")
        left.set(xlim=(0, 2), ylim=(0, 10))
        right.plot([1, 2, 3], [a, a / 10, a / 100], label="run")
        right.set_yscale("log")
        right.relim()
        right.autoscale_view()
    explorer = bare(run=lambda settings, progress: dict(settings), draw=draw)
    for alpha in (0.5, 2.0, 0.5, 5.0):
        explorer.alpha.value = alpha
        quick = pixels(explorer._quick.canvas)
        assert (np.abs(quick - full_redraw(explorer.figure, explorer.dpi)).max(axis=2) > 0).mean() < 0.0002
    assert len(explorer._quick.frames) == 1  # every release after the first drew over a kept frame
