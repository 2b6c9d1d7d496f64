"""Numeric edges where a teaching function used to answer wrongly without a word (issue 16).

Finite differences on a view (W.T) nudged a copy and returned zeros; cosine, relative error
and linear CKA overflowed on large finite values; the run table printed "≈nan%"; the device
simulator returned NaN busy fractions for an extreme ``unit``. Each case below failed before
the fix. The property tests compare with exact answers (``decimal`` at 60 digits, which
neither overflows nor underflows) or with identities that hold for any finite input.
"""
import math
import os
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dni_course as dc
from dni_course import devices, gradcheck
from dni_course.digits import linear_cka

# The same examples on every run (see tests/test_properties.py); DNI_EXPLORE=1 explores new ones.
CHEAP = settings(max_examples=200, deadline=None, database=None, derandomize=not os.environ.get("DNI_EXPLORE"))

finite = st.floats(allow_nan=False, allow_infinity=False)  # every finite float: huge, tiny, subnormal, 0


def same_shape_pair(elements=finite):
    """Two float arrays of one shape (1 to 12 entries, 1-D or 2-D)."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)
    return shapes.flatmap(lambda s: st.tuples(hnp.arrays(float, s, elements=elements),
                                              hnp.arrays(float, s, elements=elements)))


def exact_norm(values):
    return sum((Decimal(float(v)) ** 2 for v in values.ravel()), Decimal(0)).sqrt()


def exact_cosine(a, b):
    with localcontext() as ctx:
        ctx.prec = 60
        norms = exact_norm(a) * exact_norm(b)
        if norms == 0:
            return 0.0
        dot = sum((Decimal(float(x)) * Decimal(float(y)) for x, y in zip(a.ravel(), b.ravel())), Decimal(0))
        return float(dot / norms)


def exact_relative_error(a, n):
    with localcontext() as ctx:
        ctx.prec = 60
        scale = exact_norm(a) + exact_norm(n)
        if scale == 0:
            return 0.0
        diff = [Decimal(float(x)) - Decimal(float(y)) for x, y in zip(a.ravel(), n.ravel())]
        return float(sum((d * d for d in diff), Decimal(0)).sqrt() / scale)


# --- numerical_gradient nudges the array the loss reads ------------------------------------------

W0 = np.random.default_rng(0).standard_normal((3, 4))
C = np.random.default_rng(1).standard_normal((3, 4))


@pytest.mark.parametrize("view", [lambda w: w.T, lambda w: w[:, ::2], lambda w: w[1:, 1:3], lambda w: w])
def test_numerical_gradient_through_a_view_nudges_the_array_the_loss_reads(view):
    w = W0.copy()

    def loss():  # gradient with respect to w: C + w
        return float(np.sum(C * w) + 0.5 * np.sum(w ** 2))

    v = view(w)
    numeric = gradcheck.numerical_gradient(loss, v)
    assert numeric.shape == v.shape
    assert numeric == pytest.approx(view(C + W0), abs=1e-8)
    assert np.array_equal(w, W0)  # every nudge undone


def test_numerical_gradient_through_a_transposed_3d_view():
    w = np.random.default_rng(2).standard_normal((2, 3, 4))
    keep = w.copy()
    numeric = gradcheck.numerical_gradient(lambda: float(np.sum(np.sin(w))), w.transpose(2, 0, 1))
    assert numeric == pytest.approx(np.cos(keep).transpose(2, 0, 1), abs=1e-8)
    assert np.array_equal(w, keep)


def test_numerical_gradient_refuses_a_read_only_array():
    w = np.ones(3)
    with pytest.raises(ValueError, match="param must be a writeable array.*read-only.*shape \\(2, 3\\)"):
        gradcheck.numerical_gradient(lambda: float(w.sum()), np.broadcast_to(w, (2, 3)))


def test_numerical_gradient_restores_the_array_when_the_loss_fails():
    w = np.arange(6.0).reshape(2, 3)
    calls = []

    def loss():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("loss failed")
        return 0.0

    with pytest.raises(RuntimeError, match="loss failed"):
        gradcheck.numerical_gradient(loss, w.T)
    assert np.array_equal(w, np.arange(6.0).reshape(2, 3))


def test_numerical_gradient_divides_by_the_step_the_array_really_stored():
    # In float32, 20 +- 1e-6 rounds to 20 +- 1.9e-6: dividing by 2e-6 gave a slope 1.9 times too large.
    w = np.array([20.0, 0.5], dtype=np.float32)
    numeric = gradcheck.numerical_gradient(lambda: float(np.sum(w.astype(float) ** 2)), w)
    assert numeric == pytest.approx([40.0, 1.0], rel=1e-6)


@pytest.mark.parametrize("value, dtype", [(1e20, np.float64), (1e4, np.float32)])
def test_numerical_gradient_refuses_an_eps_lost_to_rounding(value, dtype):
    w = np.array([0.5, value], dtype=dtype)
    with pytest.raises(ValueError, match=r"eps=1e-06 is too small to nudge param\[1\].*must be larger than"):
        gradcheck.numerical_gradient(lambda: float(np.sum(w)), w)
    assert w[1] == dtype(value)


# --- cosine_similarity -------------------------------------------------------------------------

def test_cosine_of_huge_and_tiny_vectors():
    ones = np.ones(5)
    assert dc.cosine_similarity(ones * 1e300, ones) == pytest.approx(1.0)
    assert dc.cosine_similarity(ones * 1e200, ones * 1e200) == pytest.approx(1.0)
    assert dc.cosine_similarity(ones * 1e-200, ones * 1e-200) == pytest.approx(1.0)
    assert dc.cosine_similarity(ones * 1e-320, -ones) == pytest.approx(-1.0)  # subnormal entries
    assert dc.cosine_similarity(np.array([1e300, 0.0]), np.array([1e300, 1e300])) == pytest.approx(0.5 ** 0.5)
    assert dc.cosine_similarity(np.array([1e300, 1e-300]), np.array([1e-300, 1e300])) == pytest.approx(0, abs=1e-15)
    big = np.full(4, np.finfo(float).max)
    assert dc.cosine_similarity(big, -big) == pytest.approx(-1.0)


def test_cosine_is_0_when_either_vector_is_zero():
    assert dc.cosine_similarity(np.zeros(3), np.ones(3)) == 0.0
    assert dc.cosine_similarity(np.ones(3) * 1e300, np.zeros(3)) == 0.0
    assert dc.cosine_similarity(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0


@CHEAP
@given(same_shape_pair())
def test_cosine_matches_the_exact_value_and_lies_in_minus_1_to_1(pair):
    a, b = pair
    got = dc.cosine_similarity(a, b)
    assert -1.0 <= got <= 1.0
    assert got == pytest.approx(exact_cosine(a, b), abs=1e-13)


@CHEAP
@given(st.lists(st.one_of(st.just(0.0), st.floats(2.0 ** -20, 1.0), st.floats(-1.0, -(2.0 ** -20))),
                min_size=1, max_size=12),
       st.integers(-1000, 1000), st.integers(-1000, 1000), st.floats(1.0, 2.0))
def test_cosine_of_x_and_a_positive_multiple_is_1(mantissas, x_power, cx_power, c_mantissa):
    # x and c * x at any magnitudes from 2**-1020 to 2**1001, all entries normal floats, so
    # c * x is c times x up to one rounding per entry.
    assume(any(mantissas) and abs(cx_power - x_power) <= 1020)  # c itself finite
    x = np.array(mantissas) * 2.0 ** x_power
    c = c_mantissa * 2.0 ** (cx_power - x_power)
    assert dc.cosine_similarity(x, c * x) == pytest.approx(1.0, abs=1e-14)
    assert dc.cosine_similarity(x, -c * x) == pytest.approx(-1.0, abs=1e-14)


# --- relative_error ----------------------------------------------------------------------------

def test_relative_error_of_huge_and_tiny_arrays():
    ones = np.ones(5)
    for scale in (2.0 ** 664, 2.0 ** -664, 2.0 ** -1070, np.finfo(float).max / 2):  # 1e200, 1e-200, subnormal
        assert gradcheck.relative_error(ones * scale, ones * scale * 1.5) == pytest.approx(0.5 / 2.5, rel=1e-12)
    big = np.full(3, np.finfo(float).max)
    assert gradcheck.relative_error(big, -big) == pytest.approx(1.0)
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0


@CHEAP
@given(same_shape_pair())
def test_relative_error_matches_the_exact_value(pair):
    a, n = pair
    got = gradcheck.relative_error(a, n)
    assert 0.0 <= got <= 1.0 + 1e-15
    assert got == pytest.approx(exact_relative_error(a, n), abs=1e-13)


# --- linear_cka --------------------------------------------------------------------------------

def test_linear_cka_of_huge_and_tiny_representations():
    a = np.random.default_rng(0).standard_normal((50, 4))
    assert linear_cka(a * 1e100, a) == pytest.approx(1.0)
    assert linear_cka(a * 1e-100, a) == pytest.approx(1.0)
    assert linear_cka(a * 1e300, a * 1e-300) == pytest.approx(1.0)
    b = np.random.default_rng(1).standard_normal((50, 3))
    assert linear_cka(a * 1e250, b * 1e-250) == pytest.approx(linear_cka(a, b), rel=1e-12)


def test_linear_cka_is_0_when_a_representation_is_the_same_for_every_example():
    a = np.random.default_rng(0).standard_normal((10, 3))
    assert linear_cka(a, np.full((10, 2), 1e300)) == 0.0
    assert linear_cka(np.zeros((10, 4)), a) == 0.0


@CHEAP
@given(st.integers(0, 10 ** 6), st.integers(2, 30), st.integers(1, 6), st.integers(-300, 300), st.integers(-300, 300))
def test_linear_cka_of_a_rotated_and_scaled_copy_is_1(seed, rows, units, a_power, b_power):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((rows, units))
    assume(np.ptp(a, axis=0).max() > 1e-6)  # not the same for every example
    rotation, _ = np.linalg.qr(rng.standard_normal((units, units)))
    got = linear_cka(a * 10.0 ** a_power, (a @ rotation) * 10.0 ** b_power)
    assert got == pytest.approx(1.0, abs=1e-12)


# --- report --------------------------------------------------------------------------------------

def test_report_without_test_data_prints_n_a_in_aligned_columns():
    data = dc.addition_data(bits=4, n_examples=12, seed=0)
    test = dc.held_out_data(data, n_examples=20, seed=1)
    runs = [dc.train(dc.Network.create([8, 6, 4], seed=0), data, alpha=0.5, batch_size=4, epochs=2, test=t)
            for t in (None, test)]
    lines = dc.report(runs).splitlines()
    assert "nan" not in "\n".join(lines)
    assert lines[1].split()[-2:] == ["n/a", "n/a"]  # no test data: held-out bits and sums
    assert all("≈" in cell for cell in lines[2].split()[-2:])
    assert len({len(line) for line in lines}) == 1  # every column ends where its header ends


# --- devices.simulate ----------------------------------------------------------------------------

@pytest.mark.parametrize("unit", [1e-320, 5e-324])
def test_simulate_refuses_a_unit_that_overflows_the_timeline(unit):
    with pytest.raises(ValueError, match=r"unit=.* makes the timeline meaningless.*inf.*finite and above 0"):
        devices.simulate("dni", [10] * 5, devices.layer_costs(3), unit=unit)


def test_simulate_refuses_costs_whose_times_overflow_or_vanish():
    with pytest.raises(ValueError, match="finite and above 0"):
        devices.simulate("backprop", [10], devices.layer_costs(2, forward=1e308), unit=1.0)
    with pytest.raises(ValueError, match="finite and above 0"):  # 1e-320 / 1e300 rounds to 0
        devices.simulate("dni", [1], devices.layer_costs(2, forward=1e-320, backward=1e-320, generator=1e-320),
                         unit=1e300)


@settings(max_examples=40, deadline=None, database=None, derandomize=not os.environ.get("DNI_EXPLORE"))
@given(st.sampled_from(devices.SCHEDULES), st.floats(-290, 290))
def test_simulate_busy_fractions_do_not_depend_on_the_unit(schedule, power):
    costs = devices.layer_costs(3, slow=2)
    reference = devices.simulate(schedule, [10, 7, 10], costs, unit=10)
    timeline = devices.simulate(schedule, [10, 7, 10], costs, unit=10.0 ** power)
    assert np.all(np.isfinite(timeline.busy()))
    assert timeline.busy() == pytest.approx(reference.busy(), rel=1e-9)
    assert timeline.finish == pytest.approx(reference.finish * 10 / 10.0 ** power, rel=1e-9)
    assert math.isfinite(timeline.finish) and timeline.finish > 0
