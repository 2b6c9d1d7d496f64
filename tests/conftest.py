import numpy as np
import pytest

import dni_course as dc


@pytest.fixture(scope="session")
def task():
    """The post's DNI task: 8 bits, 100 training sums, plus 1000 held-out sums."""
    train = dc.addition_data(bits=8, n_examples=100, seed=0)
    return train, dc.held_out_data(train, n_examples=1000, seed=1)


@pytest.fixture
def small_batch():
    rng = np.random.RandomState(3)
    return rng.rand(7, 6), (rng.rand(7, 3) > 0.5).astype(float)
