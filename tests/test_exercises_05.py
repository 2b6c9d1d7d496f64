"""Notebook 05: its exercises (right, wrong and stubbed answers), their cells, and the numbers
its prose and "Try it" answers rest on."""
import json
from pathlib import Path

import numpy as np
import pytest

import dni_course as dc
from dni_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from dni_course.exercises import cdni as ex

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_label_conditioning.ipynb"
EXERCISES = (ex.output_only_step, ex.catch_up_step, ex.label_matrix)
SIZES = (16, 64, 32, 8)
WRONG = {"catch_up_step": lambda net, gens, x, y, gen_alpha: ex._true_targets_step(net, gens, x, y, gen_alpha),
         "output_only_step": lambda net, x, y, alpha: net.forward(x),
         "label_matrix": lambda output, w_out: -w_out.T}


def solution(exercise):
    namespace = {"np": np, "dc": dc}
    exec(exercise.solution_code(), namespace)
    return namespace[exercise.name]


def stub(*args):
    raise NotImplementedError()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_solution_is_correct_and_stub_is_not_attempted(exercise):
    assert exercise.evaluate(solution(exercise)) == (CORRECT, "every check passed")
    assert exercise.evaluate(stub)[0] == NOT_ATTEMPTED
    assert exercise.evaluate(lambda *args: None)[0] == NOT_ATTEMPTED


def _catch_up(net, gens, x, y, gen_alpha, top_sign=1.0, order=None, learn=True):
    """A catch-up step with one deliberate change: the sign of the top gradient, the order in
    which the generators are visited, or no learning at all."""
    hs = [x]
    for layer in net.layers:
        hs.append(layer.forward(hs[-1]))
    targets = [None] * len(gens)
    for i in order or range(len(gens)):
        if i + 1 < len(gens):
            grad = gens[i + 1].predict(hs[i + 2], y)
        else:
            grad = top_sign * (hs[-1] - y)
        targets[i] = net.layers[i + 1].backward(grad)
        gens[i].predict(hs[i + 1], y)
        if learn:
            gens[i].learn(targets[i], gen_alpha)
    return targets


def _updates_a_layer(net, gens, x, y, gen_alpha):
    targets = solution(ex.catch_up_step)(net, gens, x, y, gen_alpha)
    net.layers[0].weights += 0.01
    return targets


class _Counting:
    """Right on the first call, then takes larger steps: it keeps something between calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, net, gens, x, y, gen_alpha):
        self.calls += 1
        return _catch_up(net, gens, x, y, gen_alpha * self.calls)


@pytest.mark.parametrize("answer, words", [
    (ex._true_targets_step, "learned from the true gradient"),
    (_updates_a_layer, "layer 1 changed"),
    (lambda net, gens, x, y, a: _catch_up(net, gens, x, y, a, learn=False), "no generator learned"),
    (lambda net, gens, x, y, a: _catch_up(net, gens, x, y, a, top_sign=-1.0), "top generator"),
    (lambda net, gens, x, y, a: _catch_up(net, gens, x, y, a, order=[1, 0]), "target of generator 1"),
    (lambda net, gens, x, y, a: _catch_up(net, gens, x, y, 2 * a), "step is not"),
    (lambda net, gens, x, y, a: [t.T for t in _catch_up(net, gens, x, y, a)], "shape"),
    (lambda net, gens, x, y, a: _catch_up(net, gens, x, y, a)[:1], "one target per generator"),
    (lambda net, gens, x, y, a: "targets", "one target per generator"),
    (_Counting(), "three steps in a row"),
])
def test_catch_up_step_wrong_answers_name_the_failed_property(answer, words):
    outcome, message = ex.catch_up_step.evaluate(answer)
    assert outcome == INCORRECT and words in message, message


def test_catch_up_step_must_not_change_its_inputs():
    def in_place(net, gens, x, y, gen_alpha):
        targets = _catch_up(net, gens, x, y, gen_alpha)
        y[...] = 1 - y
        return targets

    outcome, message = ex.catch_up_step.evaluate(in_place)
    assert outcome == INCORRECT and "changed its inputs" in message, message


def test_the_reference_catch_up_step_is_the_generators_half_of_a_cdni_step():
    """With the layers' learning rate 0, a cDNI step trains the generators as the reference does."""
    net, gens, x, y = dc.exercises.dni.small_setup(seed=2, n_labels=2)
    net2, gens2 = dc.exercises.dni.copy_setup(net, gens)
    ex.frozen_layers_step(net, gens, x, y, 0.3)
    dc.training.synthetic_step(net2, gens2, x, y, 0.0, 0.3)
    for g, g2 in zip(gens, gens2):
        assert all(np.allclose(p, q) for p, q in zip(g.parameters(), g2.parameters()))


def _backprop(net, x, y, alpha):
    return dc.training.backprop_step(net, None, x, y, alpha, None)


def _uphill(net, x, y, alpha):
    out = net.forward(x)
    net.layers[-1].backward(y - out)
    net.layers[-1].update(alpha)
    return out


def _no_bias(net, x, y, alpha):
    out = net.forward(x)
    last = net.layers[-1]
    last.backward(out - y)
    last.weights -= alpha * last.input.T @ last.delta
    return out


def _also_first_layer(net, x, y, alpha):
    out = net.forward(x)
    net.backward(out - y)
    net.layers[-1].update(alpha)
    net.layers[0].update(alpha)
    return out


def _twice_alpha(net, x, y, alpha):
    return solution(ex.output_only_step)(net, x, y, 2 * alpha)


def _returns_hidden(net, x, y, alpha):
    solution(ex.output_only_step)(net, x, y, alpha)
    return net.layers[-2].output[:, :3]


@pytest.mark.parametrize("answer, words", [
    (_backprop, "as backprop would"),
    (lambda net, x, y, alpha: net.forward(x), "did not change"),
    (_uphill, "uphill"),
    (_no_bias, "bias"),
    (_also_first_layer, "hidden layer 1 changed"),
    (_twice_alpha, "weights are not as expected"),
    (_returns_hidden, "returned value"),
])
def test_output_only_step_wrong_answers_name_the_failed_property(answer, words):
    outcome, message = ex.output_only_step.evaluate(answer)
    assert outcome == INCORRECT and words in message, message


def _slope(output):
    return (output * (1 - output)).mean(axis=0)


@pytest.mark.parametrize("answer, words", [
    (lambda o, w: -_slope(o)[None, :] * w, "transposed"),
    (lambda o, w: _slope(o)[:, None] * w.T, "sign"),
    (lambda o, w: -(o * (1 - o)).sum(axis=0)[:, None] * w.T, "size"),
    (lambda o, w: -w.T, "values are not as expected"),
    (lambda o, w: -_slope(o)[:, None] * w.T[:, :4], "shape"),
    (lambda o, w: 0 * w.T, "not all zero"),
])
def test_label_matrix_wrong_answers_name_the_failed_property(answer, words):
    outcome, message = ex.label_matrix.evaluate(answer)
    assert outcome == INCORRECT and words in message, message


def test_messages_do_not_print_the_expected_arrays():
    for exercise, answer in ((ex.label_matrix, lambda o, w: -w.T),
                             (ex.output_only_step, _twice_alpha)):
        message = exercise.evaluate(answer)[1]
        assert "[" not in message and "array" not in message, message


# The notebook's exercise cells ------------------------------------------------------------

def _cells():
    return json.loads(NOTEBOOK.read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_notebook_cells_follow_the_exercise_form(exercise):
    cells = _cells()
    grade_id = f"cdni_{exercise.name}"
    [i] = [i for i, c in enumerate(cells)
           if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id]
    answer, check, stuck = cells[i], cells[i + 1], cells[i + 2]
    assert cells[i - 1]["cell_type"] == "markdown" and _source(cells[i - 1]).startswith("### Exercise ")
    assert answer["metadata"]["nbgrader"] == {"grade": False, "grade_id": grade_id, "locked": False,
                                              "schema_version": 3, "solution": True, "task": False}
    lines = _source(answer).split("\n")
    kept = [line for line in lines if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
    assert len(kept) == len(lines) - 2
    assert "\n".join(kept).strip("\n") == exercise.solution_code().strip("\n")
    assert check["metadata"]["nbgrader"] == {
        "grade": True, "grade_id": grade_id + "_check", "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False}
    check_source = _source(check)
    assert check_source.startswith(f"ex.{exercise.name}.check({exercise.name})\n### BEGIN HIDDEN TESTS\n")
    assert check_source.endswith("### END HIDDEN TESTS")
    assert _source(stuck) == (f"# Stuck? Uncomment a line and run the cell.\n# ex.{exercise.name}.hint()\n"
                              f"# ex.{exercise.name}.solution()")
    # the hidden tests pass with the solution and fail with a wrong answer
    hidden = check_source.split("### BEGIN HIDDEN TESTS\n")[1].split("### END HIDDEN TESTS")[0]
    exec(hidden, {"np": np, "dc": dc, exercise.name: solution(exercise)})
    with pytest.raises(AssertionError):
        exec(hidden, {"np": np, "dc": dc, exercise.name: WRONG[exercise.name]})


def test_no_later_cell_calls_a_students_function():
    cells = _cells()
    names = [e.name for e in EXERCISES]
    for cell in cells:
        if cell["cell_type"] != "code" or "nbgrader" in cell["metadata"]:
            continue
        source = _source(cell)
        for name in names:
            for package in ("dc.training", "dc.metrics"):  # the package's copies may be called
                source = source.replace(f"{package}.{name}(", "")
            assert f"{name}(" not in source, (name, source[:80])


def test_code_lines_fit_the_notebook_column():
    for cell in _cells():
        if cell["cell_type"] == "code":
            for line in _source(cell).split("\n"):
                assert len(line) <= 90, line


# Numbers the prose and the answers rest on --------------------------------------------------

def _run(task, method, alpha, epochs=300, **kw):
    return dc.train(dc.Network.create(SIZES, seed=0), task[0], method=method, alpha=alpha,
                    batch_size=10, epochs=epochs, **kw)


# The R² table at the top (in-sample and held-out, from h and [h, y]): tests/test_fit_quality.py


def test_cdni_cosine_falls_at_alpha_1_while_gradients_grow_but_not_at_alpha_0_1(task):
    train = task[0]
    sizes = {}

    def record(epoch, history):
        net = history.net
        sizes[epoch] = np.linalg.norm(net.backward(net.predict(train.x) - train.y)[0])

    fast = _run(task, "cdni", 1.0, epochs=100, track_gradients=True, on_epoch=record)
    slow = _run(task, "cdni", 0.1, epochs=100, track_gradients=True)
    fast_cos, slow_cos = np.array(fast.alignment)[:, 0], np.array(slow.alignment)[:, 0]
    assert fast_cos[:30].max() > 0.55 and fast_cos[99] < 0.45  # falls by epoch 100 ...
    assert fast.series("bit_accuracy")[99] < 0.95  # ... before the network fits ...
    assert sizes[100] > 1.5 * sizes[20] > 4 * sizes[5]  # ... while the true gradient grows
    assert slow_cos[60:].min() > 0.7  # the slow layers' generators keep up


def test_generator_learning_rate_bound_matches_divergence(task):
    train = task[0]
    net = dc.Network.create(SIZES, seed=0)
    net.predict(train.x)
    a = np.hstack([net.layers[0].output, train.y, np.ones((len(train), 1))])
    bound = 2 / np.linalg.eigvalsh(a.T @ a / len(a))[-1]
    assert 0.15 < bound < 0.25
    assert _run(task, "cdni", 1.0, gen_alpha=0.15).epochs_to(0.99) is not None
    with pytest.raises(dc.TrainingDiverged):
        _run(task, "cdni", 1.0, gen_alpha=10 ** -0.7)  # the slider's "0.2"
    faster = _run(task, "cdni", 1.0, gen_alpha=0.1).epochs_to(0.99)
    assert faster < _run(task, "cdni", 1.0).epochs_to(0.99)


def test_learned_label_rows_match_the_chain_rule_matrix(task):
    train = task[0]
    history = _run(task, "cdni", 1.0)
    out = history.net.predict(train.x)
    implied = dc.metrics.label_matrix(out, history.net.layers[-1].weights)  # what the notebook shows
    learned = history.generators[1].weights[-train.bits:]
    assert dc.cosine_similarity(learned, implied) > 0.8


def test_package_label_matrix_is_the_chain_rule_with_the_slope_averaged():
    rng = np.random.RandomState(0)
    output, y, w_out = rng.rand(9, 4), (rng.rand(9, 4) > 0.5) * 1.0, rng.randn(6, 4)
    m = dc.metrics.label_matrix(output, w_out)
    assert m.shape == (4, 6)
    slope = (output * (1 - output)).mean(axis=0)
    gradient = ((output - y) * slope) @ w_out.T  # dLoss/dh with each bit's slope averaged
    np.testing.assert_allclose(gradient, (output * slope) @ w_out.T + y @ m, atol=1e-12)
    assert ex.label_matrix.evaluate(dc.metrics.label_matrix)[0] == CORRECT
    with pytest.raises(ValueError, match=r"w_out must be an array of shape \(any, 4\)"):
        dc.metrics.label_matrix(output, w_out.T)


def test_try_it_cdni_tolerates_a_larger_alpha_than_backprop(task):
    assert _run(task, "cdni", 10 ** 0.9).epochs_to(0.99) is not None  # slider value 7.94
    assert _run(task, "backprop", 10 ** 0.6).epochs_to(0.99) is None  # slider value 3.98


def test_more_training_sums_generalise(task):
    more = dc.addition_data(bits=8, n_examples=1000, seed=0)
    test = dc.held_out_data(more, n_examples=1000, seed=1)
    held_out = {m: dc.train(dc.Network.create(SIZES, seed=0), more, method=m, alpha=1.0,
                            batch_size=10, epochs=100, test=test).final("test")["bit_accuracy"]
                for m in ("backprop", "dni", "cdni")}
    assert held_out["backprop"] > 0.93 and held_out["cdni"] > 0.93
    assert held_out["dni"] < 0.6
