import numpy as np
import pytest

import dni_course as dc
from dni_course.training import batches

SIZES = (16, 64, 32, 8)


def run(task, method, alpha, epochs, **kw):
    train, test = task
    return dc.train(dc.Network.create(SIZES, seed=0), train, method=method, alpha=alpha,
                    batch_size=10, epochs=epochs, **kw)


def test_backprop_reaches_99_percent_quickly(task):
    history = run(task, "backprop", 1.0, 300, stop_at=0.99)
    assert history.stopped_early and history.epochs_to(0.99) <= 200


def test_cdni_reaches_99_percent_in_budget_and_before_dni(task):
    budget = 400
    cdni = run(task, "cdni", 1.0, budget, stop_at=0.99)
    dni = run(task, "dni", 1.0, budget, stop_at=0.99)
    assert cdni.final()["bit_accuracy"] >= 0.99
    dni_epochs = dni.epochs_to(0.99) or budget + 1  # not reached counts as more than the budget
    assert cdni.epochs_to(0.99) < dni_epochs


def test_dni_synthetic_gradients_align_with_true_ones(task):
    # Random vectors of this size (100 examples x 32 units) have cosine ~ N(0, 0.018); an
    # untrained zero generator scores exactly 0 and one trained toward the wrong target
    # scores below 0. A mean above 0.15 over the first 100 epochs is 8 sigma above chance.
    history = run(task, "dni", 0.1, 100, track_gradients=True)
    cos = np.array(history.alignment)
    assert cos.shape == (100, 2)
    assert cos[:, 1].mean() > 0.15


def test_cdni_synthetic_gradients_grow_close(task):
    history = run(task, "cdni", 0.1, 100, track_gradients=True)
    cos = np.array(history.alignment)
    assert cos[:10, 1].mean() < cos[40:60, 1].mean()
    assert cos[40:60, 1].mean() > 0.8


def test_generators_start_at_zero_so_first_guesses_are_zero():
    gen = dc.SyntheticGradient(5, n_labels=2)
    assert not gen.predict(np.ones((3, 5)), np.ones((3, 2))).any()


def test_divergence_stops_with_a_message_and_no_warnings(task):
    with pytest.raises(dc.TrainingDiverged, match=r"epoch \d+.*smaller alpha"):
        run(task, "cdni", 1.0, 50, gen_alpha=5.0)


def test_batch_size_that_does_not_divide_uses_every_example():
    slices = batches(100, 7)
    assert len(slices) == 15 and slices[-1] == slice(98, 100)
    assert sum(s.stop - s.start for s in slices) == 100


def test_history_records_train_and_test(task):
    train, test = task
    history = dc.train(dc.Network.create(SIZES, seed=0), train, epochs=3, test=test)
    assert history.epochs == [1, 2, 3]
    assert len(history.test) == 3 and 0 <= history.final("test")["sum_accuracy"] <= 1


def test_stop_when_ends_the_run_at_the_epoch_it_first_says_so_and_is_the_same_run_until_then(task):
    asked = []

    def stop_when(history):
        asked.append(history.epochs[-1])
        return history.epochs[-1] == 7

    stopped = run(task, "cdni", 1.0, 30, stop_when=stop_when, measure_every=5)
    full = run(task, "cdni", 1.0, 7)
    assert asked == list(range(1, 8)) and stopped.stopped_early and stopped.epochs == list(range(1, 8))
    assert stopped.train == full.train  # stopping early changes nothing before the stop
    never = run(task, "backprop", 1.0, 5, stop_when=lambda history: False)
    assert not never.stopped_early and never.epochs[-1] == 5
