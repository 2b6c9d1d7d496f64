"""Exercises of notebook 05: the output-only control, the generators catching up while the layers
stay frozen, the label matrix."""
import numpy as np

from ..layers import Layer, Network
from ..training import backprop_step
from ..training import output_only_step as reference_output_only_step
from . import Exercise, Incorrect, as_array, call
from .dni import copy_setup, small_setup


# Exercise 1: the control that trains only the output layer -------------------------------

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


# Exercise 2: the generators catch up while the layers stay frozen ------------------------

def frozen_layers_step(net, gens, x, y, gen_alpha):
    """The package's answer to exercise 2 (the notebook's lag test calls it): with every layer
    frozen, each generator takes one step toward the gradient the layer above sends down; the
    top one from the true gradient, the others from the guess of the generator above them.
    Returns the targets, one per generator."""
    hs = [x]
    for layer in net.layers:  # forward only: the layers do not change
        hs.append(layer.forward(hs[-1]))
    targets = []
    for i, gen in enumerate(gens):  # gens[i] guesses dLoss/dh for hidden layer i + 1
        if i + 1 < len(gens):
            grad = gens[i + 1].predict(hs[i + 2], y)  # the layer above uses its own guess
        else:
            grad = hs[-1] - y  # the layer above is the output layer: the true gradient
        targets.append(net.layers[i + 1].backward(grad))  # sent down through its weights
        gen.predict(hs[i + 1], y)  # the generator sees [h, y]
        gen.learn(targets[-1], gen_alpha)
    return targets


def _true_targets_step(net, gens, x, y, gen_alpha):
    """A wrong answer the check recognises: every generator learns from the true gradient."""
    out = net.forward(x)
    true = net.backward(out - y)
    for gen, layer, target in zip(gens, net.layers, true):
        gen.predict(layer.output, y)
        gen.learn(target, gen_alpha)
    return true


def _setup(seed):
    """A 5-4-3-2 network, two cDNI generators that already guess something, one batch."""
    return small_setup(seed, n_labels=2)


def _params(gens):
    return [p for g in gens for p in g.parameters()]


def _close(a, b):
    return len(a) == len(b) and all(np.allclose(p, q, rtol=1e-9, atol=1e-12) for p, q in zip(a, b))


def _test_catch_up_step(catch_up_step):
    net, gens, x, y = _setup(0)
    start_net, start_gens = copy_setup(net, gens)
    result = call(catch_up_step, net, gens, x, y, 0.3, may_change=[net, gens])
    ref_net, ref_gens, ref_x, ref_y = _setup(0)
    right = frozen_layers_step(ref_net, ref_gens, ref_x, ref_y, 0.3)
    if not isinstance(result, (list, tuple)) or len(result) != len(right):
        raise Incorrect(f"catch_up_step should return a list with one target per generator "
                        f"({len(right)} here); yours returned {type(result).__name__}"
                        + (f" of length {len(result)}" if isinstance(result, (list, tuple)) else ""))
    targets = [as_array(t, "each target") for t in result]
    for k, (layer, start) in enumerate(zip(net.layers, start_net.layers)):
        if not _close(layer.parameters(), start.parameters()):
            raise Incorrect(f"layer {k + 1} changed: the layers stay frozen, only the generators learn")
    for i, (got, want) in enumerate(zip(targets, right)):
        if got.shape != want.shape:
            raise Incorrect(f"the target of generator {i + 1} should have the shape of hidden layer "
                            f"{i + 1}'s output, {want.shape}; yours has {got.shape}")
    if _close(_params(gens), _params(start_gens)):
        raise Incorrect("no generator learned: each one takes a step toward its target (gen.learn)")
    true_net, true_gens, _, _ = _setup(0)
    true = _true_targets_step(true_net, true_gens, ref_x, ref_y, 0.3)
    top = len(right) - 1
    if not np.allclose(targets[top], right[top]):
        raise Incorrect(f"the target of the top generator (generator {top + 1}) is not the gradient the "
                        "output layer sends down: output - y, through the output layer's weights")
    for i in range(top):
        if np.allclose(targets[i], right[i]):
            continue
        if np.allclose(targets[i], true[i]):
            raise Incorrect(f"generator {i + 1} learned from the true gradient. In cDNI the layer above "
                            f"it uses the guess of generator {i + 2}, so its target is that guess sent "
                            "down through the layer above (bootstrapping)")
        raise Incorrect(f"the target of generator {i + 1} is not the gradient that hidden layer {i + 2} "
                        f"sends down when it uses generator {i + 2}'s guess (asked before generator "
                        f"{i + 2} learns from this batch)")
    for i, (mine, good) in enumerate(zip(gens, ref_gens)):
        if not _close(mine.parameters(), good.parameters()):
            raise Incorrect(f"the targets are right, but generator {i + 1}'s step is not: it predicts from "
                            f"its layer's output and y, then learns toward its target at gen_alpha")
    # Three steps in a row, from another start: the same as the reference.
    mine_net, mine_gens, x7, y7 = _setup(7)
    ref_net, ref_gens, _, _ = _setup(7)
    for _ in range(3):
        call(catch_up_step, mine_net, mine_gens, x7, y7, 0.3, may_change=[mine_net, mine_gens])
        frozen_layers_step(ref_net, ref_gens, x7.copy(), y7.copy(), 0.3)
    if not _close(_params(mine_gens), _params(ref_gens)):
        raise Incorrect("one step is right, but three steps in a row from another start differ: "
                        "does your function keep something between calls?")


catch_up_step = Exercise(
    "catch_up_step", _test_catch_up_step,
    hint="Run the layers forward one by one and keep every output: hs = [x], then "
         "hs.append(layer.forward(hs[-1])). For generator i the layer above is net.layers[i + 1]: "
         "its gradient is gens[i + 1].predict(hs[i + 2], y), or hs[-1] - y when that layer is the "
         "output layer. net.layers[i + 1].backward(grad) sends it down: that is the target. Then "
         "gens[i].predict(hs[i + 1], y) and gens[i].learn(target, gen_alpha). Never call update.",
    solution='''
def catch_up_step(net, gens, x, y, gen_alpha):
    """Layers frozen: each cDNI generator takes one step toward the gradient sent down to
    it. Returns the targets, one per generator."""
    hs = [x]
    for layer in net.layers:  # forward only: no layer updates
        hs.append(layer.forward(hs[-1]))
    targets = []
    for i, gen in enumerate(gens):  # gens[i] guesses dLoss/dh for hidden layer i + 1
        if i + 1 < len(gens):
            grad = gens[i + 1].predict(hs[i + 2], y)  # the layer above uses its guess
        else:
            grad = hs[-1] - y  # above the top hidden layer: the true gradient
        targets.append(net.layers[i + 1].backward(grad))  # sent down: the target
        gen.predict(hs[i + 1], y)  # the generator sees [h, y]
        gen.learn(targets[-1], gen_alpha)
    return targets
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
