"""The explorers' callbacks, driven by setting widget values (no browser)."""
import base64
import html
import re

import pytest

import dni_course as dc
from dni_course.widgets import batch_size_choices, epochs_within_budget


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
    with pytest.raises(ValueError, match="batch_size"):
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
