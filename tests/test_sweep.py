"""Many networks at once (dni_course.sweep) must be the same networks as dc.train one by one."""
import numpy as np
import pytest

import dni_course as dc
from dni_course import sweep as sw

SIZES = (16, 64, 32, 8)


@pytest.mark.parametrize("method", ["backprop", "dni", "cdni"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stacked_networks_end_where_dc_train_ends(task, method, dtype):
    train, _ = task
    alphas, seeds, epochs = [0.3, 1.0, 3.0], [0, 1, 0], 130
    stack = sw.train_stack(train, method, alphas, batch_size=10, epochs=epochs, seeds=seeds, dtype=dtype)
    reached = stack.epochs_to(0.99)
    for k, (alpha, seed) in enumerate(zip(alphas, seeds)):
        net = dc.Network.create(SIZES, seed=seed, dtype=dtype)
        history = dc.train(net, train, method=method, alpha=alpha, batch_size=10, epochs=epochs)
        for i, layer in enumerate(net.layers):
            np.testing.assert_allclose(stack.weights[i][k], layer.weights, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(stack.bit_accuracy[k], history.series("bit_accuracy"))
        expected = history.epochs_to(0.99)
        assert (np.isnan(reached[k]) and expected is None) or reached[k] == expected
    if method != "dni":  # the check has something to compare: some of these runs reach 99%
        assert np.isfinite(reached).any()


def test_an_uneven_last_batch_and_other_batch_sizes(task):
    train, _ = task
    stack = sw.train_stack(train, "cdni", [0.5, 2.0], batch_size=30, epochs=40)  # 30, 30, 30, 10
    for k, alpha in enumerate([0.5, 2.0]):
        net = dc.Network.create(SIZES, seed=0)
        dc.train(net, train, method="cdni", alpha=alpha, batch_size=30, epochs=40)
        np.testing.assert_allclose(stack.weights[0][k], net.layers[0].weights, rtol=1e-5, atol=1e-6)


def test_landscape_grid_matches_one_run_per_setting(task):
    train, _ = task
    alphas, batch_sizes = [0.5, 2.0, 8.0], [10, 50]
    land = sw.landscape(train, "backprop", alphas, batch_sizes, epochs=150)
    grid = land.grid()
    assert grid.shape == (2, 3)
    for i, b in enumerate(batch_sizes):
        for j, a in enumerate(alphas):
            h = dc.train(dc.Network.create(SIZES, seed=0), train, alpha=a, batch_size=b, epochs=150)
            expected = h.epochs_to(0.99)
            assert (np.isnan(grid[i, j]) and expected is None) or grid[i, j] == expected
    assert np.isfinite(grid).sum() >= 2  # not a grid of "never"
    assert land.final_accuracy().shape == (2, 3)


def test_a_diverging_network_is_marked_where_dc_train_stops(task):
    train, _ = task
    alphas = [0.05, 1.0, 5.0]  # a generator learning rate of 1 makes all three overflow, at different epochs
    stack = sw.train_stack(train, "cdni", alphas, batch_size=10, epochs=30, gen_alpha=1.0)
    for alpha, epoch in zip(alphas, stack.diverged_at):
        with pytest.raises(dc.TrainingDiverged, match=f"epoch {epoch} "):
            dc.train(dc.Network.create(SIZES, seed=0), train, method="cdni", alpha=alpha, batch_size=10,
                     epochs=30, gen_alpha=1.0)
    assert len(set(stack.diverged_at)) > 1 and (stack.diverged_at > 0).all()
    assert (stack.epochs_to(0.0) == 1).all()  # reached before it diverged: counts
    assert np.isnan(stack.epochs_to(0.99)).all()  # the NaN outputs after it diverged never count
    land = sw.Landscape("cdni", alphas, [10], 30, [stack])
    assert (land.grid() == -1).all()


def test_bad_input_is_refused(task):
    train, _ = task
    with pytest.raises(ValueError, match="method"):
        sw.train_stack(train, "output_only", [1.0], 10, 1)
    with pytest.raises(ValueError, match="alphas"):
        sw.train_stack(train, "backprop", [1.0, -1.0], 10, 1)
    with pytest.raises(ValueError, match="seeds"):
        sw.train_stack(train, "backprop", [1.0, 2.0], 10, 1, seeds=[0, 1, 2])
    with pytest.raises(ValueError, match="batch_size"):
        sw.train_stack(train, "backprop", [1.0], 101, 1)
    with pytest.raises(ValueError, match="sizes"):
        sw.train_stack(train, "backprop", [1.0], 10, 1, sizes=(12, 8))
    with pytest.raises(TypeError, match="AdditionData"):
        sw.landscape(np.zeros((3, 16)), "backprop", [1.0], [10])


def _generator_step(weights, bias, inputs, targets, gen_alpha, batch=None, network=None):
    """The stacked generator step; ``batch`` replaces the batch size it divides by, ``network``
    makes every network use that one network's weights."""
    w, b = (weights, bias) if network is None else (weights[network], bias[network])
    error = inputs @ w + b - targets
    scale = gen_alpha / (inputs.shape[1] if batch is None else batch(inputs))
    return weights - scale * (inputs.swapaxes(1, 2) @ error), bias - scale * error.sum(axis=1, keepdims=True)


def test_the_generator_step_check_accepts_every_way_to_write_it_and_no_stub():
    from dni_course.exercises import CORRECT, NOT_ATTEMPTED, landscape as ex

    def with_einsum(weights, bias, inputs, targets, gen_alpha):
        error = np.einsum("sbi,sio->sbo", inputs, weights) + bias - targets
        return (weights - gen_alpha * np.einsum("sbi,sbo->sio", inputs, error) / inputs.shape[1],
                bias - gen_alpha * error.mean(axis=1, keepdims=True))

    def network_by_network(weights, bias, inputs, targets, gen_alpha):
        gens = []
        for w, b, x, t in zip(weights, bias, inputs, targets):
            gen = dc.SyntheticGradient(w.shape[1], w.shape[0] - w.shape[1], np.float64)
            gen.weights[...], gen.bias[...] = w, b[0]
            n = w.shape[1]
            gen.predict(x[:, :n], x[:, n:] if x.shape[1] > n else None)
            gen.learn(t, gen_alpha)
            gens.append(gen)
        return np.stack([g.weights for g in gens]), np.stack([g.bias[None] for g in gens])

    def stub(weights, bias, inputs, targets, gen_alpha):
        raise NotImplementedError()

    for answer in (_generator_step, with_einsum, network_by_network):
        assert ex.stacked_generator_step.evaluate(answer) == (CORRECT, "every check passed"), answer.__name__
    assert ex.stacked_generator_step.evaluate(stub)[0] == NOT_ATTEMPTED


def test_the_generator_step_is_the_one_the_sweep_takes():
    # sweep._synthetic_step updates its generators in place with the same step the exercise asks for.
    from dni_course.exercises import landscape as ex

    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.5, (3, a, b)) for a, b in ((4, 6), (6, 5), (5, 2))]
    gens = [[rng.normal(0, 0.3, (3, n, n)), rng.normal(0, 0.3, (3, 1, n))] for n in (6, 5)]
    x, y = rng.random((7, 4)), (rng.random((7, 2)) > 0.5).astype(float)
    alpha, gen_alpha = np.array([0.5, 1.0, 2.0])[:, None, None], 0.2
    hs = sw._forward([w.copy() for w in weights], x)  # what each generator sees: its layer's output
    sent_down = []  # what each layer above sends down, through its weights before its own update
    grad = hs[-1] - y
    for i in (2, 1):
        if i < 2:
            grad = hs[i] @ gens[i][0] + gens[i][1]
        sent_down.insert(0, (grad * hs[i] * (1 - hs[i])) @ weights[i].swapaxes(1, 2))
    namespace = {"np": np, "dc": dc}
    exec(ex.stacked_generator_step.solution_code(), namespace)
    expected = [namespace["stacked_generator_step"](g_w, g_b, hs[i], sent_down[i], gen_alpha)
                for i, (g_w, g_b) in enumerate(gens)]
    sw._synthetic_step(weights, gens, x, y, alpha, gen_alpha)
    for (g_w, g_b), (w_new, b_new) in zip(gens, expected):
        np.testing.assert_allclose(g_w, w_new)
        np.testing.assert_allclose(g_b, b_new)


def test_exercise_checks_name_the_mistake_not_the_answer():
    from dni_course.exercises import INCORRECT, landscape as ex

    def uphill(weights, bias, inputs, targets, gen_alpha):
        return _generator_step(weights, bias, inputs, targets, -gen_alpha)

    def summed_over_the_batch(weights, bias, inputs, targets, gen_alpha):
        return _generator_step(weights, bias, inputs, targets, gen_alpha, batch=lambda x: 1)

    def divided_by_the_networks(weights, bias, inputs, targets, gen_alpha):
        return _generator_step(weights, bias, inputs, targets, gen_alpha, batch=len)

    def first_network_only(weights, bias, inputs, targets, gen_alpha):
        return _generator_step(weights, bias, inputs, targets, gen_alpha, network=0)

    def guess_without_bias(weights, bias, inputs, targets, gen_alpha):
        new_weights, _ = _generator_step(weights, np.zeros_like(bias), inputs, targets, gen_alpha)
        return new_weights, _generator_step(weights, bias, inputs, targets, gen_alpha)[1]

    def bias_left_alone(weights, bias, inputs, targets, gen_alpha):
        return _generator_step(weights, bias, inputs, targets, gen_alpha)[0], bias

    def bias_without_keepdims(weights, bias, inputs, targets, gen_alpha):
        error = inputs @ weights + bias - targets
        new_weights, _ = _generator_step(weights, bias, inputs, targets, gen_alpha)
        return new_weights, bias - gen_alpha / inputs.shape[1] * error.sum(axis=1)

    def hard_coded_shapes(weights, bias, inputs, targets, gen_alpha):
        return _generator_step(weights, bias, inputs, targets, 0.3)

    def unchanged(weights, bias, inputs, targets, gen_alpha):
        return weights, bias

    for answer, words in ((uphill, "uphill"), (summed_over_the_batch, "summed over the batch"),
                          (divided_by_the_networks, "number of networks"), (first_network_only, "own weights"),
                          (guess_without_bias, "leaves out the bias"), (bias_left_alone, "bias does not"),
                          (bias_without_keepdims, "keepdims"), (hard_coded_shapes, "use gen_alpha as given"),
                          (unchanged, "as they were")):
        outcome, message = ex.stacked_generator_step.evaluate(answer)
        assert outcome == INCORRECT and words in message, (answer.__name__, message)

    def swapped(grid, alphas, batch_sizes):
        grid = np.where(np.asarray(grid) > 0, grid, np.inf)
        i, j = np.unravel_index(np.argmin(grid), grid.shape)
        return batch_sizes[i], alphas[j]

    def nan_unaware(grid, alphas, batch_sizes):
        i, j = np.unravel_index(np.nanargmin(grid), np.shape(grid))
        return alphas[j], batch_sizes[i]

    for answer, words in ((swapped, "(alpha, batch_size)"), (nan_unaware, "diverged")):
        outcome, message = ex.best_setting.evaluate(answer)
        assert outcome == INCORRECT and words in message, answer.__name__


def test_fastest_setting_skips_unreached_and_diverged_runs():
    from dni_course.exercises import CORRECT, landscape as ex

    # Notebook 08 prints Landscape.fastest before Exercise 2 asks for the same thing.
    land = sw.Landscape("cdni", [0.1, 1.0, 5.0], [10, 20], 300, stacks=[])
    grids = {0.99: np.array([[np.nan, 7.0, -1.0], [5.0, -1.0, 9.0]]), 0.9: np.full((2, 3), np.nan)}
    land.grid = lambda accuracy=0.99: grids[accuracy]
    assert land.fastest() == (5.0, 0.1, 20)
    assert land.fastest(0.9) is None

    def best_setting(grid, alphas, batch_sizes):
        land = sw.Landscape("cdni", list(alphas), list(batch_sizes), 300, stacks=[])
        land.grid = lambda accuracy=0.99: np.asarray(grid, dtype=float)
        found = land.fastest()
        return None if found is None else found[1:]

    assert ex.best_setting.evaluate(best_setting)[0] == CORRECT


def test_a_landscape_over_seeds_holds_each_seed_s_own_landscape(task):
    train, _ = task
    alphas, batch_sizes = [0.5, 2.0], [10, 50]
    land = sw.landscape(train, "backprop", alphas, batch_sizes, epochs=120, seeds=range(3))
    grids = land.grids()
    assert grids.shape == (3, 2, 2)
    for k, seed in enumerate(range(3)):
        alone = sw.landscape(train, "backprop", alphas, batch_sizes, epochs=120, seeds=seed).grid()
        np.testing.assert_array_equal(grids[k], alone)
    assert np.isfinite(grids).any() and np.isnan(grids).any()  # a grid with both kinds of cell
    np.testing.assert_array_equal(land.reached(), (grids > 0).sum(axis=0))


def _landscape_from(epochs_per_seed, diverged=None):
    """A one-cell Landscape whose seeds reached 99% at the given epochs (None: never)."""
    n, epochs = len(epochs_per_seed), 10
    accuracy = np.zeros((n, epochs))
    for k, e in enumerate(epochs_per_seed):
        if e is not None:
            accuracy[k, e - 1:] = 1.0
    diverged_at = np.zeros(n, dtype=int) if diverged is None else np.array(diverged)
    stack = sw.Stack(np.ones(n), list(range(n)), 10, [], accuracy, diverged_at)
    return sw.Landscape("backprop", [1.0], [10], epochs, [stack], list(range(n)))


@pytest.mark.parametrize("epochs, expected", [
    ([3, 5, 9], 5.0),          # the median
    ([3, None, 9], 9.0),       # a seed that never got there counts as slowest
    ([3, None, None], np.nan),  # most seeds never got there
    ([None, None, None], np.nan),
    ([4], 4.0),                # one seed: its own epochs
])
def test_the_median_grid_counts_a_miss_as_slowest(epochs, expected):
    grid = _landscape_from(epochs).grid()
    np.testing.assert_array_equal(grid, [[expected]])
    assert _landscape_from(epochs).reached()[0, 0] == sum(e is not None for e in epochs)


def test_the_median_grid_marks_cells_where_most_seeds_diverged():
    assert _landscape_from([None, None, 4], diverged=[2, 3, 0]).grid()[0, 0] == -1
    assert np.isnan(_landscape_from([None, None, 4], diverged=[2, 0, 0]).grid()[0, 0])


def test_the_heatmap_says_where_the_seeds_disagree():
    grid = np.array([[100.0, np.nan]])
    fig = dc.plots.heatmap({"backprop": grid}, [1.0, 2.0], [10], seeds=3,
                           reached={"backprop": np.array([[2, 1]])})
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["100\n2 of 3", "–\n1 of 3"]
    with pytest.raises(ValueError, match="reached"):
        dc.plots.heatmap({"backprop": grid}, [1.0, 2.0], [10], seeds=3,
                         reached={"backprop": np.array([[4, 1]])})
    with pytest.raises(TypeError, match="reached"):
        dc.plots.heatmap({"backprop": grid}, [1.0, 2.0], [10], seeds=3, reached=[[2, 1]])
