"""Bad input, everywhere: property-based tests of every public function of dni_course.

Each case names one argument of one function and a hypothesis strategy of bad values for
it (wrong types, NaN and infinities, non-whole counts, strings, wrong shapes, scalars where
arrays belong, objects of the wrong class, bools where numbers belong). The property: the
call raises ValueError or TypeError whose message names the argument, shows the value (or
its type or shape) and says what is allowed ("must ..."). Never another exception, never a
silent acceptance. A second property: good values of the same argument are accepted.

Inner-loop methods (``Layer.forward`` and the like, called thousands of times a second by
``train``) check types and shapes but not every value: a NaN there is caught where the
data enter (``train``, ``predict``) and by ``train``'s check after every epoch.
"""
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dni_course as dc
from dni_course import baseline, gradcheck, metrics, training

# derandomize: the same examples on every run, so CI cannot turn red by chance. To explore new
# examples while developing: DNI_EXPLORE=1 pytest tests/test_properties.py (repeat it a few times).
FAST = settings(max_examples=15, deadline=None, database=None, derandomize=not os.environ.get("DNI_EXPLORE"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- Small valid objects, built fresh for every call (many calls change them in place) --------

DATA = dc.addition_data(bits=4, n_examples=12, seed=0)
TEST = dc.held_out_data(DATA, n_examples=20, seed=1)


def net(dtype="float32", sizes=(8, 6, 5, 4)):
    return dc.Network.create(list(sizes), seed=0, dtype=dtype)


def history(method="cdni", test=True, track=True):
    return dc.train(net(), DATA, method=method, alpha=0.5, batch_size=4, epochs=2,
                    test=TEST if test else None, track_gradients=track)


def layer():
    return dc.Layer(np.full((3, 2), 0.1))


def run_layer():
    lay = layer()
    lay.forward(np.ones((5, 3)))
    return lay


def generator(n_labels=2, dtype=np.float64):
    return dc.SyntheticGradient(3, n_labels=n_labels, dtype=dtype)


def predicted(n_labels=2):
    gen = generator(n_labels)
    gen.predict(np.ones((5, 3)), np.ones((5, n_labels)) if n_labels else None)
    return gen


n = 5  # rows of the arrays that the cases pass


# --- Strategies of bad values -------------------------------------------------------------------

class Thing:
    """An object of a class nobody expects."""

    def __repr__(self):
        return "Thing()"


nan_inf = st.sampled_from([math.nan, math.inf, -math.inf])
strings = st.text(max_size=6)
others = st.one_of(st.none(), st.just(Thing()), st.just({}), st.just(1j), st.just(b"1"))
non_numbers = st.one_of(strings, others, st.lists(st.integers(0, 3), max_size=3))
bools = st.sampled_from([True, False, np.bool_(True)])
non_whole = st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not float(v).is_integer())
whole_floats = st.integers(-5, 50).map(float)  # 2.0 is not a count either: it must be an int


def bad_count(low, high=None):
    """Not a whole number in [low, high]."""
    wrong = [non_whole, whole_floats, nan_inf, bools, non_numbers, st.integers(max_value=low - 1),
             non_whole.map(np.float64)]
    if high is not None:
        wrong.append(st.integers(min_value=high + 1, max_value=high + 10 ** 6))
    return st.one_of(*wrong)


bad_positive = st.one_of(st.floats(max_value=0.0), nan_inf, bools, non_numbers)
bad_real = st.one_of(nan_inf, bools, non_numbers)
bad_fraction = st.one_of(st.floats().filter(lambda v: not 0 <= v <= 1), nan_inf, bools, non_numbers)
bad_flag = st.one_of(st.integers(0, 1), strings, st.none(), st.floats(0, 1))
bad_rng = st.one_of(st.floats(), strings, others, bools, st.just(np.random), st.just(np.zeros(3)))


def bad_seed():
    return st.one_of(st.integers(max_value=-1), non_whole, whole_floats, nan_inf, bools, strings, others)


def bad_choice(choices):
    return st.one_of(strings.filter(lambda s: s not in choices), others, bools, st.integers(),
                     st.sampled_from([c.upper() + " " for c in choices]))


def finite(dtype=float):
    return st.floats(-3, 3, allow_nan=False, width=64)


def with_non_finite(shape, low=-3.0, high=3.0):
    """A good-shaped array with one NaN or infinity in it."""
    def build(args):
        values, position, bad = args
        values = np.array(values, dtype=float)
        values.flat[position % values.size] = bad
        return values
    return st.tuples(hnp.arrays(float, shape, elements=st.floats(low, high)),
                     st.integers(0, 10 ** 6), nan_inf).map(build)


def bad_array(spec, low=None, high=None):
    """Arrays of the wrong shape (scalars, 1-D for 2-D, wrong widths), bools, strings,
    objects, complex numbers, NaN or infinity inside; values outside [low, high].

    ``spec`` is the allowed shape, None for an axis of any (non-zero) size."""
    shape = tuple(n if s is None else s for s in spec)
    good_elements = st.floats(low if low is not None else -3, high if high is not None else 3)
    wrong_shapes = []
    for axis, size in enumerate(spec):
        for delta in ((-1, 1, 2) if size is not None else ()):
            changed = list(shape)
            changed[axis] += delta
            if changed[axis] > 0:
                wrong_shapes.append(tuple(changed))
    wrong_shapes += [shape[:-1], shape + (1,), (), (0,) + shape[1:]]
    cases = [
        st.sampled_from(wrong_shapes).flatmap(lambda s: hnp.arrays(float, s, elements=good_elements)),
        with_non_finite(shape),
        hnp.arrays(bool, shape),
        hnp.arrays(complex, shape, elements=st.complex_numbers(max_magnitude=2, allow_nan=False)),
        st.floats(-3, 3), nan_inf, strings, others, bools,
        st.just(np.full(shape, "a")), st.just(np.empty(shape, dtype=object)),
    ]
    if low is not None:
        cases.append(hnp.arrays(float, shape, elements=st.floats(low - 10, low - 0.01)))
    if high is not None:
        cases.append(hnp.arrays(float, shape, elements=st.floats(high + 0.01, high + 10)))
    return st.one_of(*cases)


def good_array(shape, low=-3.0, high=3.0):
    return hnp.arrays(float, shape, elements=st.floats(low, high))


# --- The property ---------------------------------------------------------------------------------

def shown(value):
    """Texts of which one must appear in the message: the value, its type or its shape."""
    texts = [type(value).__name__]
    if isinstance(value, np.ndarray):
        texts += [str(value.shape), str(value.dtype), "True/False", "nan", "inf", "single number"]
        if value.dtype.kind == "f":
            texts += [str(v) for v in value.flat[:50]]
            if value.size and np.isfinite(value).all():
                texts += [str(value.min()), str(value.max())]
    else:
        texts += [repr(value)[:30], str(value)[:30]]
        if isinstance(value, dict):
            texts += [t for v in value.values() for t in shown(v)]
        if isinstance(value, (list, tuple)):
            texts += [f"got {len(value)}", f"has {len(value)}"]
            texts += [str(v) for v in value] + [type(v).__name__ for v in value]
            texts += [t for v in value if isinstance(v, (np.ndarray, dc.Layer)) for t in shown(v)]
        if isinstance(value, training.History):  # a run that lacks some records: the message says which
            texts += ["this one has", "the run has no", "empty History"]
        if isinstance(value, dc.Layer):
            texts.append(str(value.weights.shape))
        if isinstance(value, dc.Network):
            texts += [f"{value.sizes[0]} inputs", f"dtype {value.dtype}", str(value.sizes)]
        if isinstance(value, dc.AdditionData):
            texts.append(f"{value.bits}-bit")
        if isinstance(value, (dc.SyntheticGradient, dc.MLPSyntheticGradient)):
            texts.append(f"dtype {value.weights.dtype}")
        if callable(value):  # a function that returns a bad value: the message shows that value
            texts += shown(value())
        if isinstance(value, (float, np.floating)):
            texts.append(str(float(value)))
    return texts


def assert_clear_rejection(call, name, value):
    with pytest.raises((TypeError, ValueError)) as caught:
        call(value)
    error = caught.value
    assert type(error) in (TypeError, ValueError), f"raised {type(error).__name__} (a numpy error?): {error}"
    message = str(error)
    assert name in message, f"message does not name {name!r}: {message}"
    assert "must" in message, f"message does not say what is allowed: {message}"
    assert any(text in message for text in shown(value)), f"message does not show {value!r}: {message}"


# Each case: (id, call(value), argument name as the message must say it, bad values, good values).
CASES = []


def case(id, call, name, bad, good=None):
    CASES.append(pytest.param(call, name, bad, good, id=id))


# data
case("to_bits-numbers", lambda v: dc.to_bits(v, 4), "numbers",
     st.one_of(bad_array((None,), low=0, high=15), non_whole.map(lambda v: [1, v]),
               st.integers(16, 10 ** 9).map(lambda v: [v]), st.integers(0, 15)),
     st.lists(st.integers(0, 15), min_size=1, max_size=6))
case("to_bits-bits", lambda v: dc.to_bits([1], v), "bits", bad_count(1, 25), st.integers(1, 25))
case("from_bits-digits", dc.from_bits, "digits", bad_array((None, None), low=0, high=1), good_array((n, 4), 0, 1))
case("addition_data-bits", lambda v: dc.addition_data(bits=v, n_examples=3), "bits", bad_count(2, 24),
     st.integers(2, 24))
case("addition_data-n_examples", lambda v: dc.addition_data(n_examples=v), "n_examples", bad_count(1),
     st.integers(1, 50))
case("addition_data-seed", lambda v: dc.addition_data(n_examples=3, seed=v), "seed", bad_seed(),
     st.one_of(st.integers(0, 2 ** 32), st.just(np.random.RandomState(0))))
case("AdditionData-left", lambda v: dc.AdditionData(v, np.arange(n), 4), "left",
     st.one_of(bad_array((n,), low=0, high=7), st.just([1.5, 2, 3, 4, 5])),
     st.lists(st.integers(0, 7), min_size=n, max_size=n))
case("AdditionData-right", lambda v: dc.AdditionData(np.arange(n), v, 4), "right",
     st.one_of(bad_array((n,), low=0, high=7)), None)
case("AdditionData-bits", lambda v: dc.AdditionData(np.arange(n), np.arange(n), v), "bits",
     bad_count(4, 24), st.integers(4, 24))
case("held_out_data-train", lambda v: dc.held_out_data(v, 10), "train",
     st.one_of(non_numbers, st.just(DATA.x), st.just(net())), None)
case("held_out_data-n_examples", lambda v: dc.held_out_data(DATA, v), "n_examples",
     bad_count(1, 64 - len(np.unique(DATA.pairs()))), st.integers(1, 40))
case("held_out_data-seed", lambda v: dc.held_out_data(DATA, 5, seed=v), "seed", bad_seed(), st.integers(0, 99))
case("describe-data", dc.describe, "data", st.one_of(non_numbers, st.just(DATA.x)), None)
case("describe-count", lambda v: dc.describe(DATA, v), "count", bad_count(1), st.integers(1, 50))

# metrics
case("scores-output", lambda v: dc.scores(v, np.zeros((n, 4))), "output", bad_array((n, 4)), good_array((n, 4)))
case("scores-target", lambda v: dc.scores(np.zeros((n, 4)), v), "target", bad_array((n, 4), 0, 1),
     good_array((n, 4), 0, 1))
case("post_error-output", lambda v: dc.post_error(v, np.zeros((n, 4))), "output", bad_array((n, 4)),
     good_array((n, 4), 0, 1))
case("post_error-target", lambda v: dc.post_error(np.zeros((n, 4)), v), "target", bad_array((n, 4), 0, 1), None)
case("evaluate-net", lambda v: dc.evaluate(v, DATA), "net",
     st.one_of(non_numbers, st.just(DATA), st.just(net(sizes=(8, 3))), st.just(net(sizes=(6, 4)))), None)
case("evaluate-data", lambda v: dc.evaluate(net(), v), "data",
     st.one_of(non_numbers, st.just(DATA.x), st.just(dc.addition_data(5, 3))), None)
case("accuracy_per_bit-net", lambda v: dc.accuracy_per_bit(v, DATA), "net",
     st.one_of(non_numbers, st.just(net(sizes=(8, 5)))), None)
case("accuracy_per_bit-data", lambda v: dc.accuracy_per_bit(net(), v), "data",
     st.one_of(non_numbers, st.just(dc.addition_data(3, 3))), None)
case("cosine_similarity-a", lambda v: dc.cosine_similarity(v, np.ones((n, 3))), "a",
     st.one_of(bad_array((n, 3))), good_array((n, 3)))
case("cosine_similarity-b", lambda v: dc.cosine_similarity(np.ones((n, 3)), v), "b",
     st.one_of(bad_array((n, 3))), None)
case("report-histories", dc.report, "histories",
     st.one_of(non_numbers, st.just(history(track=False)), st.just([]), st.just([DATA])), None)
case("report-target", lambda v: dc.report([history(track=False)], v), "target", bad_fraction, st.floats(0, 1))

# gradcheck
case("relative_error-analytic", lambda v: gradcheck.relative_error(v, np.ones((n, 3))), "analytic",
     bad_array((n, 3)), good_array((n, 3)))
case("relative_error-numeric", lambda v: gradcheck.relative_error(np.ones((n, 3)), v), "numeric",
     bad_array((n, 3)), None)
case("numerical_gradient-loss", lambda v: gradcheck.numerical_gradient(v, np.ones(3)), "loss",
     st.one_of(non_numbers, st.floats(), st.just(lambda: "a"), st.just(lambda: math.nan),
               st.just(lambda: None), st.just(lambda: np.ones(2))), None)
case("numerical_gradient-param", lambda v: gradcheck.numerical_gradient(lambda: 0.0, v), "param",
     st.one_of(with_non_finite((3,)), hnp.arrays(bool, 3), st.floats(), nan_inf, strings, others, bools,
               st.just([1.0, 2.0]), st.just(np.arange(3)), st.just(np.zeros(0)), st.just(np.zeros(2, complex))),
     good_array((3,)))
case("numerical_gradient-eps", lambda v: gradcheck.numerical_gradient(lambda: 0.0, np.ones(2), v), "eps",
     bad_positive, st.floats(1e-8, 1e-2))
case("check_network-net", lambda v: gradcheck.check_network(v, np.ones((n, 8)), np.ones((n, 4))), "net",
     st.one_of(non_numbers, st.just(net("float32")), st.just(generator())), None)
case("check_network-x", lambda v: gradcheck.check_network(net("float64"), v, np.ones((n, 4))), "x",
     bad_array((n, 8)), good_array((n, 8)))
case("check_network-y", lambda v: gradcheck.check_network(net("float64"), np.ones((n, 8)), v), "y",
     bad_array((n, 4)), None)
case("check_generator-generator", lambda v: gradcheck.check_generator(v, np.ones((n, 3)), np.ones((n, 3))),
     "generator", st.one_of(non_numbers, st.just(net()), st.just(generator(0, np.float32))), None)
case("check_generator-h", lambda v: gradcheck.check_generator(generator(0), v, np.ones((n, 3))), "h",
     bad_array((n, 3)), good_array((n, 3)))
case("check_generator-target", lambda v: gradcheck.check_generator(generator(0), np.ones((n, 3)), v), "target",
     bad_array((n, 3)), None)
case("check_generator-labels",
     lambda v: gradcheck.check_generator(generator(2), np.ones((n, 3)), np.ones((n, 3)), v), "labels",
     st.one_of(bad_array((n, 2))), good_array((n, 2), 0, 1))

# baseline
case("script_weights-sizes", lambda v: baseline.script_weights(v, np.random.RandomState(0)), "sizes",
     st.one_of(non_numbers.filter(lambda v: not isinstance(v, list)), st.just([3]), st.just([]),
               st.lists(bad_count(1, 10_000), min_size=2, max_size=3)),
     st.lists(st.integers(1, 9), min_size=2, max_size=4))
case("script_weights-rng", lambda v: baseline.script_weights([3, 2], v), "rng", bad_rng,
     st.sampled_from([np.random.RandomState(0), np.random.default_rng(0)]))
X, Y = DATA.x, DATA.y


def script(**kw):
    args = dict(x=X, y=Y, weights=baseline.script_weights([8, 6, 5, 4], np.random.RandomState(0)))
    args.update(kw)
    return baseline.train_script(**args)


case("train_script-x", lambda v: script(x=v), "x", bad_array((12, 8)), good_array((12, 8), 0, 1))
case("train_script-y", lambda v: script(y=v), "y", bad_array((12, 4)), None)
case("train_script-weights", lambda v: script(weights=v), "weights",
     st.one_of(non_numbers, st.just(np.zeros((3, 8, 6))),
               st.just([np.zeros((8, 6)), np.zeros((6, 5))]),
               st.just([np.zeros((8, 6)), np.zeros((5, 5)), np.zeros((5, 4))]),
               st.just([np.zeros((8, 6), int), np.zeros((6, 5)), np.zeros((5, 4))]),
               st.just([[[0.0] * 6] * 8, np.zeros((6, 5)), np.zeros((5, 4))]),
               st.just([np.full((8, 6), np.nan), np.zeros((6, 5)), np.zeros((5, 4))])), None)
case("train_script-alpha", lambda v: script(alpha=v), "alpha", bad_positive, st.floats(1e-3, 1))
case("train_script-batch_size", lambda v: script(batch_size=v), "batch_size", bad_count(1, 12), st.integers(1, 12))
case("train_script-iterations", lambda v: script(iterations=v), "iterations", bad_count(1), st.integers(1, 3))


# layers. The inner-loop methods (forward, backward, update, predict, learn, sigmoid) check
# types and shapes only (see the module docstring): their bad arrays have no NaN case.
def bad_batch(spec):
    return bad_array(spec).filter(lambda v: not (isinstance(v, np.ndarray) and v.dtype.kind == "f"
                                                  and v.shape == tuple(n if s is None else s for s in spec)))


case("sigmoid-z", dc.sigmoid, "z",
     st.one_of(strings, others.filter(lambda v: not isinstance(v, complex)), bools, st.just(["a", 1]),
               hnp.arrays(bool, 3), hnp.arrays(complex, 3)),
     st.one_of(st.floats(-50, 50), good_array((n, 2)), st.lists(st.integers(-5, 5), min_size=1)))
case("sigmoid-out", lambda v: dc.sigmoid(np.zeros((n, 2)), out=v), "out",
     st.one_of(bad_batch((n, 2)).filter(lambda v: v is not None), st.just(np.zeros((n, 2), int)),
               st.just([[0.0] * 2] * n)), None)
case("init_weights-n_in", lambda v: dc.init_weights(v, 2, np.random.default_rng(0)), "n_in",
     bad_count(1, 10_000), st.integers(1, 20))
case("init_weights-n_out", lambda v: dc.init_weights(2, v, np.random.default_rng(0)), "n_out",
     bad_count(1, 10_000), None)
case("init_weights-rng", lambda v: dc.init_weights(2, 2, v), "rng", bad_rng, None)
case("init_weights-init", lambda v: dc.init_weights(2, 2, np.random.default_rng(0), init=v), "init",
     bad_choice(dc.layers.INITS), st.sampled_from(dc.layers.INITS))
case("init_weights-dtype", lambda v: dc.init_weights(2, 2, np.random.default_rng(0), dtype=v), "dtype",
     st.one_of(st.sampled_from(["int8", "float16", int, "abc", None, 3, "complex128"])),
     st.sampled_from(["float32", np.float64, np.dtype("float32")]))
case("Layer-weights", dc.Layer, "weights",
     st.one_of(bad_array((3, 2)).filter(lambda v: not isinstance(v, np.ndarray) or v.ndim != 2 or v.dtype.kind != "f"
                                        or not np.isfinite(v).all() or v.size == 0),
               st.just([[0.1, 0.2]]), st.just(np.zeros((3, 2), int)), st.just(np.zeros((3, 2), np.float16))),
     good_array((3, 2)))
case("Layer-bias", lambda v: dc.Layer(np.zeros((3, 2)), v), "bias",
     st.one_of(bad_array((2,)).filter(lambda v: v is not None), st.just(np.zeros(2, np.float32)),
               st.just([0.0, 0.0])), good_array((2,)))
case("Layer.forward-x", lambda v: layer().forward(v), "x", bad_batch((None, 3)), good_array((n, 3)))
case("Layer.backward-grad_output", lambda v: run_layer().backward(v), "grad_output", bad_batch((n, 2)),
     good_array((n, 2)))
case("Layer.update-alpha", lambda v: (lambda lay: (lay.backward(np.ones((n, 2))), lay.update(v)))(run_layer()),
     "alpha", bad_real, st.floats(-1, 1))
case("Network-layers", dc.Network, "layers",
     st.one_of(non_numbers.filter(lambda v: v is not None), st.just([]), st.just([layer(), layer()]),
               st.just([layer(), "layer"]), st.just(layer()), st.just(np.zeros(3))), None)
case("Network.create-sizes", lambda v: dc.Network.create(v), "sizes",
     st.one_of(st.just("16"), others, st.just([8]), st.lists(bad_count(1, 10_000), min_size=2, max_size=3)),
     st.lists(st.integers(1, 9), min_size=2, max_size=4))
case("Network.create-seed", lambda v: dc.Network.create([3, 2], seed=v), "seed", bad_seed(), st.integers(0, 9))
case("Network.create-init", lambda v: dc.Network.create([3, 2], init=v), "init", bad_choice(dc.layers.INITS), None)
case("Network.create-bias", lambda v: dc.Network.create([3, 2], bias=v), "bias", bad_flag, st.booleans())
case("Network.create-dtype", lambda v: dc.Network.create([3, 2], dtype=v), "dtype",
     st.sampled_from(["int8", "float16", int, "abc", None, 3, bool]), None)
case("Network.predict-x", lambda v: net().predict(v), "x", bad_array((None, 8)), good_array((n, 8), 0, 1))
case("Network.forward-x", lambda v: net().forward(v), "x", bad_batch((None, 8)), good_array((n, 8), 0, 1))
case("Network.backward-grad_output", lambda v: (lambda m: (m.forward(np.ones((n, 8))), m.backward(v)))(net()),
     "grad_output", bad_batch((n, 4)), good_array((n, 4)))
case("Network.update-alpha", lambda v: (lambda m: (m.backward(m.forward(np.ones((n, 8)))), m.update(v)))(net()),
     "alpha", bad_real, st.floats(-1, 1))
case("SyntheticGradient-n_out", lambda v: dc.SyntheticGradient(v), "n_out", bad_count(1, 10_000), st.integers(1, 9))
case("SyntheticGradient-n_labels", lambda v: dc.SyntheticGradient(3, v), "n_labels", bad_count(0, 10_000),
     st.integers(0, 9))
case("SyntheticGradient-dtype", lambda v: dc.SyntheticGradient(3, dtype=v), "dtype",
     st.sampled_from(["int8", int, "abc", None, 3]), None)
case("SyntheticGradient-bias", lambda v: dc.SyntheticGradient(3, bias=v), "bias", bad_flag, st.booleans())
case("SyntheticGradient.predict-h", lambda v: generator(2).predict(v, np.ones((n, 2))), "h", bad_batch((n, 3)),
     good_array((n, 3)))
case("SyntheticGradient.predict-labels", lambda v: generator(2).predict(np.ones((n, 3)), v), "labels",
     st.one_of(bad_batch((n, 2)), st.none()), good_array((n, 2), 0, 1))
case("SyntheticGradient.learn-target", lambda v: predicted().learn(v, 0.1), "target", bad_batch((n, 3)),
     good_array((n, 3)))
case("SyntheticGradient.learn-alpha", lambda v: predicted().learn(np.ones((n, 3)), v), "alpha", bad_real,
     st.floats(-1, 1))
case("MLPSyntheticGradient-hidden", lambda v: dc.MLPSyntheticGradient(3, hidden=v), "hidden",
     bad_count(1, 10_000), st.integers(1, 9))
case("MLPSyntheticGradient-seed", lambda v: dc.MLPSyntheticGradient(3, hidden=2, seed=v), "seed", bad_seed(), None)
case("MLPSyntheticGradient.predict-h", lambda v: dc.MLPSyntheticGradient(3, hidden=4).predict(v), "h",
     bad_batch((None, 3)), good_array((n, 3)))
case("MLPSyntheticGradient.learn-target",
     lambda v: (lambda g: (g.predict(np.ones((n, 3))), g.learn(v, 0.1)))(dc.MLPSyntheticGradient(3, hidden=4)),
     "target", bad_batch((n, 3)), good_array((n, 3)))

# training
def train(**kw):
    args = dict(net=net(), data=DATA, method="cdni", alpha=0.5, batch_size=4, epochs=1)
    args.update(kw)
    return dc.train(**args)


case("train-net", lambda v: train(net=v), "net", st.one_of(non_numbers, st.just(DATA), st.just(layer())), None)
case("train-data", lambda v: train(data=v), "data", st.one_of(non_numbers, st.just(DATA.x)), None)
case("train-test", lambda v: train(test=v), "test",
     st.one_of(non_numbers.filter(lambda v: v is not None), st.just(TEST.x), st.just(dc.addition_data(5, 3))),
     st.sampled_from([None, TEST]))
case("train-method", lambda v: train(method=v), "method", bad_choice(training.METHODS),
     st.sampled_from(training.METHODS))
case("train-alpha", lambda v: train(alpha=v), "alpha", bad_positive, st.floats(1e-3, 2))
case("train-gen_alpha", lambda v: train(gen_alpha=v), "gen_alpha", bad_positive, st.floats(1e-3, 0.1))
case("train-batch_size", lambda v: train(batch_size=v), "batch_size", bad_count(1, 12), st.integers(1, 12))
case("train-epochs", lambda v: train(epochs=v), "epochs", bad_count(1), st.integers(1, 3))
case("train-stop_at", lambda v: train(stop_at=v), "stop_at", bad_fraction.filter(lambda v: v is not None),
     st.floats(0, 1))
case("train-track_gradients", lambda v: train(track_gradients=v), "track_gradients", bad_flag, st.booleans())
case("train-on_epoch", lambda v: train(on_epoch=v), "on_epoch", non_numbers.filter(lambda v: v is not None),
     st.just(lambda epoch, h: None))
case("train-send_down", lambda v: train(send_down=v), "send_down", bad_choice(training.SEND_DOWN), None)
case("train-generator", lambda v: train(generator=v), "generator", bad_choice(training.GENERATORS), None)
case("train-gen_hidden", lambda v: train(generator="mlp", gen_hidden=v), "gen_hidden", bad_count(1),
     st.integers(1, 8))
case("train-target_delay", lambda v: train(target_delay=v), "target_delay", bad_count(0), st.integers(0, 3))
case("train-gen_seed", lambda v: train(generator="mlp", gen_seed=v), "gen_seed", bad_seed(), None)
case("train-gen_input", lambda v: train(gen_input=v), "gen_input", bad_choice(dc.layers.GEN_INPUTS),
     st.sampled_from(dc.layers.GEN_INPUTS))
case("SyntheticGradient-input_mode", lambda v: dc.SyntheticGradient(3, input_mode=v), "input_mode",
     bad_choice(dc.layers.GEN_INPUTS), st.sampled_from(dc.layers.GEN_INPUTS))
HISTORY = history()
case("History.series-metric", lambda v: HISTORY.series(v), "metric", bad_choice(("loss", "bit_accuracy", "sum_accuracy")),
     st.sampled_from(["loss", "bit_accuracy", "sum_accuracy"]))
case("History.series-split", lambda v: HISTORY.series("loss", v), "split", bad_choice(("train", "test")),
     st.sampled_from(["train", "test"]))
case("History.epochs_to-accuracy", lambda v: HISTORY.epochs_to(v), "accuracy", bad_fraction, st.floats(0, 1))
case("History.epochs_to-split", lambda v: HISTORY.epochs_to(0.5, v), "split", bad_choice(("train", "test")), None)
case("History.final-split", lambda v: HISTORY.final(v), "split", bad_choice(("train", "test")),
     st.sampled_from(["train", "test"]))
NO_TEST = history(test=False, track=False)
case("History.final-split-without-test", NO_TEST.final, "split", st.just("test"), st.just("train"))
case("batches-n_examples", lambda v: training.batches(v, 3), "n_examples", bad_count(1), st.integers(1, 50))
case("batches-batch_size", lambda v: training.batches(10, v), "batch_size", bad_count(1), st.integers(1, 50))
case("gradient_alignment-net", lambda v: dc.gradient_alignment(v, HISTORY.generators, DATA), "net",
     st.one_of(non_numbers, st.just(net(sizes=(8, 4)))), None)
case("gradient_alignment-gens", lambda v: dc.gradient_alignment(net(), v, DATA), "gens",
     st.one_of(non_numbers.filter(lambda v: v != []), st.just([generator()]), st.just([1, 2])), None)
case("gradient_alignment-data", lambda v: dc.gradient_alignment(net(), HISTORY.generators, v), "data",
     st.one_of(non_numbers, st.just(DATA.x), st.just(dc.addition_data(3, 4))), None)
for step in ("backprop_step", "output_only_step", "synthetic_step"):
    fn = getattr(training, step)
    case(f"{step}-x", lambda v, fn=fn: fn(net(), HISTORY.generators, v, DATA.y, 0.1, 0.1), "x",
         bad_batch((None, 8)), None)
    case(f"{step}-y", lambda v, fn=fn: fn(net(), HISTORY.generators, DATA.x, v, 0.1, 0.1), "y",
         st.one_of(bad_batch((12, 4)), st.just(DATA.y[:, :1]), st.just(DATA.y[:1])), None)
    case(f"{step}-alpha", lambda v, fn=fn: fn(net(), HISTORY.generators, DATA.x, DATA.y, v, 0.1), "alpha",
         bad_real, None)


# errata
def printed(**kw):
    args = dict(data=dc.addition_data(4, 20, 0), seed=0, iterations=2, batch_size=10, hidden=(5, 3))
    args.update(kw)
    return dc.errata.printed_dni(**args)


case("printed_dni-data", lambda v: printed(data=v), "data", st.one_of(non_numbers, st.just(DATA.x)), None)
case("printed_dni-seed", lambda v: printed(seed=v), "seed", bad_seed(),
     st.one_of(st.integers(0, 99), st.just(np.random.RandomState(1))))
case("printed_dni-iterations", lambda v: printed(iterations=v), "iterations", bad_count(1), st.integers(1, 3))
case("printed_dni-alpha", lambda v: printed(alpha=v), "alpha", bad_positive, st.floats(1e-5, 1e-3))
case("printed_dni-batch_size", lambda v: printed(batch_size=v), "batch_size", bad_count(1, 20), st.integers(1, 20))
case("printed_dni-hidden", lambda v: printed(hidden=v), "hidden",
     st.one_of(non_numbers.filter(lambda v: not isinstance(v, list)), st.just(5),
               st.lists(bad_count(1, 10_000), min_size=1, max_size=2)),
     st.lists(st.integers(1, 6), min_size=1, max_size=2))
case("printed_dni-ascent", lambda v: printed(ascent=v), "ascent", bad_flag, st.booleans())
case("printed_dni-stop_below", lambda v: printed(stop_below=v), "stop_below",
     bad_positive.filter(lambda v: v is not None), st.one_of(st.none(), st.floats(0.01, 1)))

# plots
from matplotlib.figure import Figure  # noqa: E402

RECORD = printed()
bad_fig = st.one_of(non_numbers.filter(lambda v: v is not None), st.just(DATA), st.just(np.zeros((2, 2))))
bad_text = st.one_of(st.none(), st.integers(), st.just(Thing()), st.just(["a"]), bools)
case("training_curves-histories", dc.plots.training_curves, "histories",
     st.one_of(non_numbers, st.just(HISTORY), st.just([]), st.just([DATA])), st.just([HISTORY]))
case("training_curves-fig", lambda v: dc.plots.training_curves([HISTORY], fig=v), "fig", bad_fig,
     st.one_of(st.none(), st.just(Figure())))
case("training_curves-title", lambda v: dc.plots.training_curves([HISTORY], title=v), "title", bad_text, strings)
case("alignment_curves-history", dc.plots.alignment_curves, "history",
     st.one_of(non_numbers, st.just([HISTORY]), st.just(NO_TEST)), st.just(HISTORY))
case("alignment_curves-title", lambda v: dc.plots.alignment_curves(HISTORY, title=v), "title", bad_text, None)
case("power_of_two-k", dc.plots.power_of_two, "k", bad_count(0), st.integers(0, 30))
case("plots.accuracy_per_bit-train_acc", lambda v: dc.plots.accuracy_per_bit(v, np.full(4, 0.5)), "train_acc",
     bad_array((4,), 0, 1), good_array((4,), 0, 1))
case("plots.accuracy_per_bit-test_acc", lambda v: dc.plots.accuracy_per_bit(np.full(4, 0.5), v), "test_acc",
     bad_array((4,), 0, 1), None)
case("errata_curves-printed", lambda v: dc.plots.errata_curves(v, RECORD), "printed",
     st.one_of(non_numbers, st.just({"loss": [1.0]}), st.just([RECORD])), st.just(RECORD))
case("errata_curves-fixed", lambda v: dc.plots.errata_curves(RECORD, v), "fixed",
     st.one_of(non_numbers, st.just({**RECORD, "bit_accuracy": "high"})), None)
case("dni_diagram-fig", lambda v: dc.plots.dni_diagram(fig=v), "fig", bad_fig, None)
case("to_png-fig", dc.plots.to_png, "fig", bad_fig.filter(lambda v: not isinstance(v, dict)), st.just(Figure((1, 1))))
case("to_png-dpi", lambda v: dc.plots.to_png(Figure((1, 1)), dpi=v), "dpi", st.one_of(bad_positive, st.floats(1001, 1e9)),
     st.integers(10, 100))
case("show-fig", lambda v: dc.plots.show(v, "a figure"), "fig", bad_fig, None)
case("show-alt", lambda v: dc.plots.show(Figure((1, 1)), v), "alt",
     st.one_of(bad_text, st.sampled_from(["", "   "])), st.text(min_size=1).filter(str.strip))
case("Picture-dpi", lambda v: dc.plots.Picture(Figure((1, 1)), "a figure", dpi=v), "dpi", bad_positive, None)

# widgets
from dni_course import widgets  # noqa: E402

case("batch_size_choices-n_examples", widgets.batch_size_choices, "n_examples", bad_count(1),
     st.integers(1, 200))
case("batch_size_choices-default", lambda v: widgets.batch_size_choices(12, v), "default",
     bad_count(1, 12).filter(lambda v: v is not None), st.integers(1, 12))
case("epochs_within_budget-epochs", lambda v: widgets.epochs_within_budget(v, 12, 4, 4), "epochs", bad_count(1),
     st.integers(1, 100))
case("epochs_within_budget-batch_size", lambda v: widgets.epochs_within_budget(10, 12, v, 4), "batch_size",
     bad_count(1, 12), st.integers(1, 12))
case("epochs_within_budget-default_batch_size", lambda v: widgets.epochs_within_budget(10, 12, 4, v),
     "default_batch_size", bad_count(1, 12), None)
case("summary_line-history", widgets.summary_line, "history", st.one_of(non_numbers, st.just([HISTORY])),
     st.just(HISTORY))
case("summary_line-n_examples", lambda v: widgets.summary_line(HISTORY, v), "n_examples",
     bad_count(1).filter(lambda v: v is not None), st.integers(1, 100))
case("figure_text-history", widgets.figure_text, "history", st.one_of(non_numbers, st.just([HISTORY])), None)
case("figure_text-show_gradients", lambda v: widgets.figure_text(HISTORY, v), "show_gradients", bad_flag,
     st.booleans())


def explorer(**kw):
    args = dict(data=DATA, test=TEST, sizes=(8, 6, 4), epochs=1, batch_size=4)
    args.update(kw)
    return widgets.training_explorer(**args)


case("training_explorer-data", lambda v: explorer(data=v), "data", st.one_of(non_numbers, st.just(DATA.x)), None)
case("training_explorer-test", lambda v: explorer(test=v), "test",
     st.one_of(non_numbers.filter(lambda v: v is not None), st.just(dc.addition_data(3, 3))), None)
case("training_explorer-sizes", lambda v: explorer(sizes=v), "sizes",
     st.one_of(non_numbers, st.just((8, 0, 4)), st.just((9, 6, 4)), st.just((8,))), None)
case("training_explorer-method", lambda v: explorer(method=v), "method", bad_choice(training.METHODS), None)
case("training_explorer-methods", lambda v: explorer(methods=v), "methods",
     st.one_of(strings.filter(bool), st.just(["sgd"]), st.just([1]), st.just(Thing())), None)
case("training_explorer-alpha", lambda v: explorer(alpha=v), "alpha", bad_positive, None)
case("training_explorer-batch_size", lambda v: explorer(batch_size=v), "batch_size", bad_count(1, 12), None)
case("training_explorer-epochs", lambda v: explorer(epochs=v), "epochs", bad_count(1), None)
case("training_explorer-seed", lambda v: explorer(seed=v), "seed", bad_seed(), None)
case("training_explorer-show_gradients", lambda v: explorer(method="dni", show_gradients=v), "show_gradients",
     bad_flag, None)
case("training_explorer-gen_alpha", lambda v: explorer(gen_alpha=v), "gen_alpha", bad_positive, None)
case("training_explorer-stop_at", lambda v: explorer(stop_at=v), "stop_at",
     bad_fraction.filter(lambda v: v is not None), None)



case("DelayedTargets-delay", lambda v: training.DelayedTargets(generator(), v), "delay", bad_count(0),
     st.integers(0, 5))
case("Network.loss-output", lambda v: net().loss(v, np.zeros((n, 4))), "output", bad_array((n, 4)),
     good_array((n, 4), 0, 1))
case("Network.loss-target", lambda v: net().loss(np.full((n, 4), 0.5), v), "target", bad_array((n, 4), 0, 1), None)

# digits (notebook 07)
from dni_course import digits  # noqa: E402

PIXELS = np.linspace(0, 1, 5 * 64).reshape(5, 64)
case("DigitsData-x", lambda v: digits.DigitsData(v, np.arange(n)), "x", bad_array((n, 64), 0, 1)
     .filter(lambda v: not (isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[1] != 64 and v.shape[0] == n
                            and v.dtype.kind == "f" and np.isfinite(v).all() and ((v >= 0) & (v <= 1)).all())),
     good_array((n, 64), 0, 1))
case("DigitsData-labels", lambda v: digits.DigitsData(PIXELS, v), "labels",
     st.one_of(bad_array((n,), 0, 9), st.just([0, 1, 2, 3, 4.5])), st.lists(st.integers(0, 9), min_size=n, max_size=n))
DIGITS = digits.DigitsData(PIXELS, np.arange(n))
case("digits.evaluate-net", lambda v: digits.evaluate(v, DIGITS), "net",
     st.one_of(non_numbers, st.just(net())), st.just(dc.Network.create([64, 10], output="softmax")))
case("digits.evaluate-data", lambda v: digits.evaluate(dc.Network.create([64, 10], output="softmax"), v), "data",
     st.one_of(non_numbers, st.just(DATA)), None)
case("linear_cka-a", lambda v: digits.linear_cka(v, np.ones((n, 3))), "a", bad_array((None, None)), good_array((n, 2)))
case("linear_cka-b", lambda v: digits.linear_cka(np.ones((n, 3)), v), "b", bad_array((n, None)), None)
case("load_digits_data-test_fraction", digits.load_digits_data, "test_fraction",
     st.one_of(bad_fraction, st.sampled_from([0.0, 1.0])), None)

def bare_explorer(**kw):
    args = dict(run=lambda settings, progress: HISTORY, draw=lambda h, fig: None, describe=lambda h: "done",
                alt=lambda h: "a figure", alpha=1.0, batch_size=10)
    args.update(kw)
    return widgets.Explorer(**args)


for arg in ("run", "draw", "describe", "alt"):
    case(f"Explorer-{arg}", lambda v, arg=arg: bare_explorer(**{arg: v}), arg, non_numbers, None)
case("Explorer-alpha", lambda v: bare_explorer(alpha=v), "alpha", st.one_of(bad_positive, st.floats(11, 1e6)),
     st.floats(1e-3, 10))
case("Explorer-batch_size", lambda v: bare_explorer(batch_size=v), "batch_size",
     st.one_of(bad_count(1), st.sampled_from([2, 50, 1000])), st.sampled_from([1, 10, 100]))
case("Explorer-batch_sizes", lambda v: bare_explorer(batch_sizes=v), "batch_sizes",
     st.one_of(non_numbers.filter(lambda v: not isinstance(v, list) or not v), st.just([]), st.just([10, 1.5])),
     None)
case("Explorer-alpha_range", lambda v: bare_explorer(alpha_range=v), "alpha_range",
     st.one_of(non_numbers, st.just((0, 1)), st.just((1e-3,)), st.just((math.nan, 1.0))), None)
case("Explorer-dpi", lambda v: bare_explorer(dpi=v), "dpi", st.one_of(bad_positive, st.floats(1001, 1e9)),
     None)

# devices and sweep (notebooks 06 and 08)
from dni_course import devices, sweep  # noqa: E402

case("Costs-forward", lambda v: devices.Costs(forward=v), "forward", bad_positive, st.floats(0.1, 5))
case("layer_costs-n_layers", devices.layer_costs, "n_layers", bad_count(1), st.integers(1, 5))
case("layer_costs-slow", lambda v: devices.layer_costs(3, slow=v), "slow",
     bad_count(1, 3).filter(lambda v: v is not None), st.integers(1, 3))
case("layer_costs-factor", lambda v: devices.layer_costs(3, slow=1, factor=v), "factor", bad_positive, None)
COSTS = devices.layer_costs(3)
case("simulate-schedule", lambda v: devices.simulate(v, [4, 4], COSTS), "schedule", bad_choice(devices.SCHEDULES),
     st.sampled_from(devices.SCHEDULES))
case("simulate-batch_sizes", lambda v: devices.simulate("dni", v, COSTS), "batch",
     st.one_of(non_numbers.filter(lambda v: not (isinstance(v, list) and v and all(x > 0 for x in v))),
               st.lists(bad_count(1), min_size=1, max_size=2)), st.lists(st.integers(1, 10), min_size=1, max_size=4))
case("simulate-costs", lambda v: devices.simulate("dni", [4], v), "costs",
     st.one_of(non_numbers, st.just([1.0, 2.0])), None)
case("simulate-micro_batches", lambda v: devices.simulate("backprop", [4], COSTS, micro_batches=v), "micro_batches",
     bad_count(1), st.integers(1, 4))
case("simulate-target_delay", lambda v: devices.simulate("dni", [4], COSTS, target_delay=v), "target_delay",
     bad_count(0), st.integers(0, 3))
case("simulate-unit", lambda v: devices.simulate("dni", [4], COSTS, unit=v), "unit", bad_positive, None)
case("run_batch_sizes-history", lambda v: devices.run_batch_sizes(v, 12), "history",
     st.one_of(non_numbers, st.just(DATA)), None)
case("run_batch_sizes-n_examples", lambda v: devices.run_batch_sizes(HISTORY, v), "n_examples", bad_count(1), None)
case("device_run-data", lambda v: devices.device_run(v, sizes=(8, 6, 4), epochs=1, batch_size=4), "data",
     st.one_of(non_numbers, st.just(DATA.x)), None)
case("device_run-method", lambda v: devices.device_run(DATA, method=v, sizes=(8, 6, 4), epochs=1, batch_size=4),
     "method", bad_choice(devices.SCHEDULES), None)
case("device_run-costs", lambda v: devices.device_run(DATA, sizes=(8, 6, 4), epochs=1, batch_size=4, costs=v),
     "costs", st.one_of(non_numbers.filter(lambda v: v is not None), st.just(devices.layer_costs(5))), None)


def stack(**kw):
    args = dict(data=DATA, method="cdni", alphas=[0.5, 1.0], batch_size=4, epochs=1, sizes=(8, 6, 4))
    args.update(kw)
    return sweep.train_stack(**args)


case("train_stack-data", lambda v: stack(data=v), "data", st.one_of(non_numbers, st.just(DATA.x)), None)
case("train_stack-method", lambda v: stack(method=v), "method", bad_choice(sweep.SWEEP_METHODS), None)
case("train_stack-alphas", lambda v: stack(alphas=v), "alphas",
     st.one_of(bad_positive.filter(lambda v: not isinstance(v, list) or not v or any(x <= 0 for x in v)),
               st.just([]), st.just([0.5, math.nan])), st.lists(st.floats(0.01, 1), min_size=1, max_size=3))
case("train_stack-batch_size", lambda v: stack(batch_size=v), "batch_size", bad_count(1, 12), None)
case("train_stack-epochs", lambda v: stack(epochs=v), "epochs", bad_count(1), None)
case("train_stack-seeds", lambda v: stack(seeds=v), "seeds",
     st.one_of(bad_seed(), st.just([0, 1, 2])), None)
case("train_stack-sizes", lambda v: stack(sizes=v), "sizes",
     st.one_of(non_numbers, st.just((8, 0, 4)), st.just((9, 6, 4))), None)
case("landscape-batch_sizes", lambda v: sweep.landscape(DATA, "dni", [0.5], v, epochs=1, sizes=(8, 6, 4)),
     "batch_sizes", st.one_of(non_numbers.filter(lambda v: not (isinstance(v, list) and v and all(0 < x <= 12 for x in v))),
                              st.lists(bad_count(1, 12), min_size=1, max_size=2)), None)

TIMELINE = devices.simulate("dni", [4, 4], COSTS)
case("gantt-timelines", lambda v: dc.plots.gantt(v, ["a"]), "timelines",
     st.one_of(non_numbers, st.just([]), st.just([DATA]), st.just(TIMELINE)), st.just([TIMELINE]))
case("gantt-labels", lambda v: dc.plots.gantt([TIMELINE], v), "labels",
     st.one_of(non_numbers.filter(lambda v: v != ["a"]), st.just(["a", "b"]), st.just([3])), st.just(["run"]))
GRIDS = {"dni": np.array([[10.0, np.nan]])}
case("heatmap-grids", lambda v: dc.plots.heatmap(v, [0.1, 1.0], [10]), "grids",
     st.one_of(non_numbers, st.just({"dni": np.zeros((2, 2))}), st.just({"dni": "a"}), st.just({})), st.just(GRIDS))
case("heatmap-alphas", lambda v: dc.plots.heatmap(GRIDS, v, [10]), "alphas",
     st.one_of(non_numbers.filter(lambda v: not isinstance(v, list)), st.just([0.1]), st.just([0.1, math.nan]),
               st.just([0.1, 0])), None)
case("heatmap-batch_sizes", lambda v: dc.plots.heatmap(GRIDS, [0.1, 1.0], v), "batch_sizes",
     st.one_of(non_numbers.filter(lambda v: not isinstance(v, list)), st.just([10, 20]), st.just([1.5])), None)

STACK = stack()
case("Stack.epochs_to-accuracy", STACK.epochs_to, "accuracy", bad_fraction, st.floats(0, 1))
RUN = devices.device_run(DATA, sizes=(8, 6, 4), epochs=1, batch_size=4)
case("DeviceRun.head-n_examples", RUN.head, "n_examples", bad_count(1), st.integers(1, 20))
case("DeviceRun.time_to-accuracy", RUN.time_to, "accuracy", bad_fraction, st.floats(0, 1))
case("DeviceRun.on-costs", RUN.on, "costs", st.one_of(non_numbers, st.just([1.0])), st.just(devices.layer_costs(2)))

# exercises: the framework's own arguments (a teacher's or an author's input)
from dni_course.exercises import Exercise  # noqa: E402

case("Exercise-name", lambda v: Exercise(v, print, "h", "s"),
     "name", st.one_of(bad_text, st.just("")), None)
case("Exercise-test", lambda v: Exercise("e", v, "h", "s"),
     "test", non_numbers, None)
case("Exercise-hint", lambda v: Exercise("e", print, v, "s"),
     "hint", bad_text, None)
case("Exercise-solution",
     lambda v: Exercise("e", print, "h", v),
     "solution", bad_text, None)

@pytest.mark.parametrize("call, name, bad, good", CASES)
@FAST
@given(data=st.data())
def test_bad_values_get_a_clear_error(call, name, bad, good, data):
    value = data.draw(bad, label=name)
    assert_clear_rejection(call, name, value)


@pytest.mark.parametrize("call, name, bad, good", [c for c in CASES if c.values[3] is not None])
@settings(FAST, max_examples=8)
@given(data=st.data())
def test_good_values_are_accepted(call, name, bad, good, data):
    call(data.draw(good, label=name))


# --- Exercises: a student's answer is never "bad input" but a verdict ----------------------------

def all_exercises():
    import importlib
    import pkgutil

    import dni_course.exercises as package
    from dni_course.exercises import Exercise

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"dni_course.exercises.{info.name}")
        found += [pytest.param(v, id=f"{info.name}.{k}") for k, v in vars(module).items() if isinstance(v, Exercise)]
    return found


def _raises():
    raise ZeroDivisionError("the student's bug")


wrong_answers = st.one_of(
    non_numbers, bools, nan_inf, st.integers(), st.just(_raises),
    st.sampled_from([lambda *a, **k: None, lambda *a, **k: "text", lambda *a, **k: math.nan,
                     lambda *a, **k: np.full((3, 3), np.nan), lambda *a, **k: np.zeros(0),
                     lambda *a, **k: _raises(), lambda *a, **k: (1, 2, 3), lambda *a, **k: Thing()]),
    st.sampled_from([int, str, dict, Thing]))  # (dc.Layer itself is the right answer to the Layer exercises)


@pytest.mark.parametrize("exercise", all_exercises())
@settings(FAST, max_examples=6)
@given(answer=wrong_answers)
def test_a_wrong_answer_gets_a_verdict_not_a_traceback(exercise, answer):
    from dni_course.exercises import INCORRECT, NOT_ATTEMPTED

    outcome, message = exercise.evaluate(answer)
    assert outcome in (INCORRECT, NOT_ATTEMPTED)
    assert isinstance(message, str) and message
