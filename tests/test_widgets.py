"""The explorers' callbacks, driven by setting widget values (no browser)."""
import pytest

import dni_course as dc


@pytest.fixture
def explorer(task):
    train, test = task
    return dc.widgets.training_explorer(train, test, methods=["backprop", "dni", "cdni"],
                                        method="backprop", alpha=1.0, batch_size=10, epochs=60)


def test_sliders_act_on_release_and_alpha_is_log_scale(explorer):
    assert explorer.alpha.continuous_update is False and explorer.batch_size.continuous_update is False
    assert explorer.alpha.base == 10 and explorer.alpha.min < 0 < explorer.alpha.max


def test_moving_a_slider_retrains_and_redraws(explorer):
    first_png, first = explorer.image.value, explorer.result
    explorer.alpha.value = 0.1
    assert explorer.result is not first and explorer.result.alpha == pytest.approx(0.1)
    assert explorer.image.value != first_png and explorer.image.value[:4] == b"\x89PNG"
    assert "alpha 0.1" in explorer.status.value


def test_batch_size_and_method_reach_the_training(explorer):
    explorer.batch_size.value = 7
    assert explorer.result.batch_size == 7
    assert "batch of 2" in explorer.status.value  # 100 examples in batches of 7
    explorer.method.value = "cdni"
    assert explorer.result.method == "cdni" and "cDNI" in explorer.status.value


def test_diverging_setting_shows_a_message_not_a_figure(task):
    train, test = task
    explorer = dc.widgets.training_explorer(train, test, method="cdni", epochs=30, gen_alpha=5.0)
    assert explorer.result is None
    assert "diverged" in explorer.status.value and "smaller alpha" in explorer.status.value
    assert explorer.image.layout.visibility == "hidden"


def test_gradient_explorer_draws_alignment(task):
    train, test = task
    explorer = dc.widgets.training_explorer(train, test, method="dni", alpha=0.1, epochs=20, show_gradients=True)
    assert len(explorer.result.alignment) == 20
    assert "Cosine" in explorer.figure.axes[0].get_title()


def test_plain_text_form_is_short_and_stable(explorer):
    text = explorer._repr_mimebundle_()["text/plain"]
    assert text.startswith("Explorer:") and "\n" not in text
