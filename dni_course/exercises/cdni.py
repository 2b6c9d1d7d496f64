"""Exercises of notebook 05: the cDNI generator's input, the output-only control, the label matrix."""
import numpy as np

from ..layers import Layer, Network
from ..training import backprop_step
from ..training import output_only_step as reference_output_only_step
from . import Exercise, Incorrect, as_array, call



# Exercise 1: what a cDNI generator sees --------------------------------------------------

def _test_generator_input(generator_input):
    rng = np.random.RandomState(5)
    h = rng.rand(3, 4)
    labels = (rng.rand(3, 2) > 0.5).astype(float)
    got = as_array(call(generator_input, h, labels), "what generator_input returns")
    if got.shape != (3, 6):
        raise Incorrect(f"for 3 examples with 4 hidden values and 2 label bits the result should have "
                        f"one row per example and 4 + 2 columns, shape (3, 6); yours has shape {got.shape}")
    if np.array_equal(got, np.hstack([labels, h])):
        raise Incorrect("the labels come first: the generator's weight rows expect the layer's "
                        "output first, then the labels")
    if not np.array_equal(got[:, :4], h):
        raise Incorrect("the first 4 columns are not the layer's output h, row for row")
    if not np.array_equal(got[:, 4:], labels):
        raise Incorrect("the last 2 columns are not the labels, row for row")
    one = as_array(call(generator_input, h[:1], labels[:1]), "what generator_input returns")
    if one.shape != (1, 6):
        raise Incorrect(f"a batch of one example should give shape (1, 6), got {one.shape}")


generator_input = Exercise(
    "generator_input", _test_generator_input,
    hint="Put the two arrays side by side, column-wise (they have the same number of rows): "
         "numpy has a function that stacks arrays horizontally.",
    solution='''
def generator_input(h, labels):
    """What a cDNI generator sees: the layer's output, then the labels."""
    return np.hstack([h, labels])
''')


# Exercise 2: the control that trains only the output layer -------------------------------

def _small_problem():
    """A 6-5-4-3 network with biases and one batch of 7 examples."""
    rng = np.random.RandomState(11)
    net = Network([Layer(rng.normal(0, 0.5, (a, b)), rng.normal(0, 0.1, b))
                   for a, b in ((6, 5), (5, 4), (4, 3))])
    x = (rng.rand(7, 6) > 0.5).astype(float)
    y = (rng.rand(7, 3) > 0.5).astype(float)
    return net, x, y


def _same(a, b):
    return np.allclose(a, b, rtol=1e-9, atol=1e-12)


def _test_output_only_step(output_only_step):
    net, x, y = _small_problem()
    theirs = net.copy()
    out = as_array(call(output_only_step, theirs, x, y, 0.5, may_change=[theirs]), "what output_only_step returns")
    right = net.copy()
    right_out = reference_output_only_step(right, None, x, y, 0.5, None)
    backprop = net.copy()
    backprop_step(backprop, None, x, y, 0.5, None)
    if out.shape != right_out.shape:
        raise Incorrect(f"output_only_step should return the network's output, shape "
                        f"{right_out.shape}; yours has shape {out.shape}")
    if all(_same(a, b) for a, b in zip(theirs.parameters(), backprop.parameters())):
        raise Incorrect("every layer changed as backprop would change it: the hidden layers "
                        "must stay as they started")
    for i in range(len(net.layers) - 1):
        for mine, start in zip(theirs.layers[i].parameters(), net.layers[i].parameters()):
            if not _same(mine, start):
                raise Incorrect(f"hidden layer {i + 1} changed: in this control only the last "
                                "layer learns")
    last, last_right = theirs.layers[-1], right.layers[-1]
    if all(_same(a, b) for a, b in zip(last.parameters(), net.layers[-1].parameters())):
        raise Incorrect("the last layer did not change: it must take one gradient step")
    moved, moved_right = last.weights - net.layers[-1].weights, last_right.weights - net.layers[-1].weights
    if _same(moved, -moved_right):
        raise Incorrect("the last layer stepped uphill: the loss went up")
    if not _same(last.weights, last_right.weights):
        raise Incorrect("the last layer's weights are not as expected after one step on a small "
                        "fixed batch (its gradient is the one of the loss, output - y)")
    if not _same(last.bias, last_right.bias):
        raise Incorrect("the last layer's weights are right but its bias is not")
    if not _same(out, right_out):
        raise Incorrect("the weights are right, but the returned value is not the network's output")


output_only_step = Exercise(
    "output_only_step", _test_output_only_step,
    hint="net.forward(x) runs every layer (and each layer remembers its input). Then only "
         "net.layers[-1] needs backward (with the loss gradient output - y) and update.",
    solution='''
def output_only_step(net, x, y, alpha):
    """One step of the control: hidden layers frozen, only the last layer learns."""
    out = net.forward(x)  # every layer runs forward
    last = net.layers[-1]
    last.backward(out - y, need_input_grad=False)  # nothing is sent further down
    last.update(alpha)
    return out
''')


# Exercise 3: the matrix the true gradient applies to the labels ---------------------------

def _reference_label_matrix(output, w_out):
    slope = (output * (1 - output)).mean(axis=0)
    return -slope[:, None] * w_out.T


def _test_label_matrix(label_matrix):
    rng = np.random.RandomState(2)
    output = rng.uniform(0.05, 0.95, (6, 3))
    w_out = rng.normal(0, 1, (5, 3))
    got = as_array(call(label_matrix, output, w_out), "what label_matrix returns")
    right = _reference_label_matrix(output, w_out)
    if got.shape == right.T.shape and got.shape != right.shape:
        raise Incorrect(f"the shape is transposed: y @ M must give one value per hidden unit, so with "
                        f"3 label bits and 5 hidden units M has shape {right.shape}; yours has {got.shape}")
    if got.shape != right.shape:
        raise Incorrect(f"with 3 label bits and 5 hidden units M should have shape {right.shape}; "
                        f"yours has {got.shape}")
    if np.allclose(got, right):
        return
    if not np.isfinite(got).all() or not got.any():
        raise Incorrect("M should hold finite numbers, not all zero")
    if np.allclose(got, -right):
        raise Incorrect("the sign is wrong: a label bit of 1 lowers (o - y), so its term in the gradient "
                        "has the opposite sign of the weights")
    if np.allclose(got / np.abs(got).max(), right / np.abs(right).max()):
        raise Incorrect("the direction is right but the size is not: check the factor that scales the rows")
    raise Incorrect("the values are not as expected on a small fixed example (output 6 x 3, "
                    "weights 5 x 3): each label bit's row should be that bit's column of the "
                    "output weights, scaled by the sigmoid's slope there, averaged over examples")


label_matrix = Exercise(
    "label_matrix", _test_label_matrix,
    hint="Write the gradient as (o - y) * s @ W.T with s = o * (1 - o), and keep only the part with y: "
         "-(y * s) @ W.T. Replace s by its mean over the examples (one value per output bit); then the "
         "part is y @ M. Which matrix is M, and what shape does it have?",
    solution='''
def label_matrix(output, w_out):
    """M with label part of dLoss/dh = y @ M, with the sigmoid's slope averaged."""
    slope = (output * (1 - output)).mean(axis=0)  # one value per output bit
    return -slope[:, None] * w_out.T  # row k: bit k's weights, scaled by its slope
''')
