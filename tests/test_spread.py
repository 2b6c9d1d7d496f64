"""dc.spread: the median and range over seeds that the notebooks print, masked whole by nbval."""
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dni_course as dc

MASK = re.compile(r"≈-?[0-9][0-9.,e+-]*%?")  # the regex of tests/sanitize.cfg


def test_spread_reads_median_and_range():
    assert dc.spread([0.91, 0.97, 0.95], percent=True) == "≈95% (≈91-97%)"
    assert dc.spread([1.5, 1.2, 1.31], digits=2, unit="x") == "≈1.31x (≈1.20-1.50x)"
    assert dc.spread([10, 3, 4]) == "≈4 (≈3-10)"


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=7), st.integers(0, 3), st.booleans())
def test_spread_is_masked_whole(values, digits, percent):
    """No digit of a spread survives the notebook tests' mask: it may differ between CPUs."""
    text = dc.spread(values, digits=digits, percent=percent)
    assert not re.search(r"[0-9]", MASK.sub("≈N", text)), text
    middle = float(text[1:].split(" ")[0].rstrip("%"))
    scale = 100 if percent else 1
    assert abs(middle - scale * np.median(values)) <= 0.5 * 10.0 ** -digits + 1e-9 * scale * 1e6


@pytest.mark.parametrize("bad, error", [([], ValueError), ([np.nan], ValueError),
                                        ("ab", TypeError), ([[1, 2]], ValueError)])
def test_spread_refuses_bad_values(bad, error):
    with pytest.raises(error, match="values must"):
        dc.spread(bad)
