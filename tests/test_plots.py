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
