import numpy as np
import pytest

import dni_course as dc


def test_bits_round_trip_most_significant_first():
    assert dc.to_bits([5], 4).tolist() == [[0, 1, 0, 1]]
    numbers = np.arange(256)
    assert np.array_equal(dc.from_bits(dc.to_bits(numbers, 8)), numbers)


def test_examples_are_correct_sums():
    data = dc.addition_data(bits=6, n_examples=50, seed=4)
    assert data.x.shape == (50, 12) and data.y.shape == (50, 6)
    assert np.array_equal(dc.from_bits(data.x[:, :6]) + dc.from_bits(data.x[:, 6:]), dc.from_bits(data.y))
    assert data.left.max() < 32 and data.right.max() < 32


def test_post_dataset_replayed_with_random_state():
    # The post's generator draws left then right with rand() * 2**(bits-1), from seed 1.
    rng = np.random.RandomState(1)
    expected_left = (rng.rand(10) * 2 ** 11).astype(int)
    data = dc.addition_data(bits=12, n_examples=10, seed=np.random.RandomState(1))
    assert np.array_equal(data.left, expected_left)


def test_held_out_sums_are_unseen_and_distinct(task):
    train, test = task
    assert len(test) == 1000
    assert np.intersect1d(train.pairs(), test.pairs()).size == 0
    assert np.unique(test.pairs()).size == len(test)


def test_held_out_small_space_takes_every_unseen_pair():
    train = dc.addition_data(bits=3, n_examples=5, seed=0)
    available = 16 - np.unique(train.pairs()).size
    test = dc.held_out_data(train, n_examples=available)
    assert sorted(set(test.pairs()) | set(train.pairs())) == list(range(16))


def test_describe_shows_sums_readably(task):
    text = dc.describe(task[0], count=2)
    left, right = task[0].left[0], task[0].right[0]
    assert f"{left} + {right} = {left + right}" in " ".join(text.split())
    assert np.binary_repr(left + right, 8) in text
