"""Exercises of notebook 01: write the bit encoding and read it back."""
import numpy as np

from ..data import from_bits, to_bits
from . import Exercise, Incorrect, as_array, call



def _test_encode(encode):
    got = as_array(call(encode, [5], 4), "what encode returns")
    if got.shape != (1, 4):
        raise Incorrect(f"encode([5], 4) should give one row of 4 digits, shape (1, 4); yours has shape {got.shape}")
    if not np.isin(got, (0, 1)).all():
        raise Incorrect("encode must give only the digits 0 and 1")
    if np.array_equal(got[0, ::-1], to_bits([5], 4)[0]) and not np.array_equal(got, to_bits([5], 4)):
        raise Incorrect("the digits come out in reverse order: the most significant digit must come first")
    numbers = [0, 1, 2, 6, 127, 128, 200, 255]
    got = as_array(call(encode, numbers, 8), "what encode returns")
    if got.shape != (len(numbers), 8):
        raise Incorrect(f"encode of {len(numbers)} numbers with 8 bits should have shape ({len(numbers)}, 8), got {got.shape}")
    wrong = [n for n, row, good in zip(numbers, got, to_bits(numbers, 8)) if not np.array_equal(row, good)]
    if wrong:
        raise Incorrect(f"the rows for {wrong} are not their 8-bit binary digits (the others are right)")


def _test_decode(decode):
    rows = to_bits([0, 1, 2, 6, 127, 128, 200, 255], 8)
    got = as_array(call(decode, rows), "what decode returns")
    if got.shape != (8,):
        raise Incorrect(f"decode of 8 rows should give 8 numbers, shape (8,); yours has shape {got.shape}")
    if np.array_equal(got, from_bits(rows[:, ::-1])) and not np.array_equal(got, from_bits(rows)):
        raise Incorrect("the digits are read in reverse order: the first digit of a row is the most significant")
    wrong = [int(n) for n, g in zip(from_bits(rows), got) if g != n]
    if wrong:
        raise Incorrect(f"the rows that encode {wrong} are decoded to other numbers (the others are right)")
    outputs = np.array([[0.9, 0.2, 0.6, 0.4]])  # a network's outputs, not exact digits
    got = as_array(call(decode, outputs), "what decode returns")
    if got.shape != (1,) or got[0] != from_bits(outputs)[0]:
        raise Incorrect("decode should read a network's outputs too: a value above 0.5 counts as the digit 1")


encode = Exercise(
    "encode", _test_encode,
    hint="Divide each number by the powers of two from 2**(bits-1) down to 1 (integer division `//`), "
         "then take the remainder mod 2. numpy broadcasting does all numbers at once: numbers[:, None] // powers.",
    solution='''
def encode(numbers, bits):
    """Each whole number as a row of `bits` binary digits, most significant first."""
    numbers = np.asarray(numbers)
    powers = 2 ** np.arange(bits - 1, -1, -1)
    return (numbers[:, None] // powers) % 2
''')

decode = Exercise(
    "decode", _test_decode,
    hint="Round each value at 0.5 to get digits, then add up digit * power of two, "
         "with the largest power for the first column. A matrix product with the powers does it in one go.",
    solution='''
def decode(rows):
    """Rows of digits (or outputs in [0, 1]), most significant first, as whole numbers."""
    rows = np.asarray(rows)
    powers = 2 ** np.arange(rows.shape[1] - 1, -1, -1)
    return (rows > 0.5).astype(int) @ powers
''')
