"""Exercises of notebook 09: the feedback-alignment step and the direct-feedback-alignment step."""
import numpy as np

from ..feedback import dfa_step as package_dfa_step
from ..feedback import fa_step as package_fa_step
from ..feedback import random_feedback
from ..layers import Network
from . import Exercise, Incorrect, as_array, call


def small_setup(seed, method):
    """A small float64 network (5-4-3-2, biases), its fixed random feedback for ``method``
    ("fa" or "dfa") and one batch ``x, y``."""
    net = Network.create((5, 4, 3, 2), seed=seed, bias=True, dtype=np.float64)
    feedback = random_feedback(net, method, seed=seed + 50)
    rng = np.random.default_rng(seed + 100)
    x = (rng.random((6, 5)) > 0.5).astype(float)
    y = (rng.random((6, 2)) > 0.5).astype(float)
    return net, feedback, x, y


# Steps with one deliberate mistake each, to name the mistake an answer made. Each takes
# (net, feedback, x, y, alpha) like the answer.

def _backprop(net, feedback, x, y, alpha):
    out = net.forward(x)
    net.backward(out - y)
    net.update(alpha)
    return out


def _fa_without_slope(net, feedback, x, y, alpha):
    """FA, but each layer sends down the gradient it got, not its delta (the sigmoid's slope is lost)."""
    out = net.forward(x)
    grad = out - y
    for i in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[i]
        layer.backward(grad, need_input_grad=False)
        if i > 0:
            grad = grad @ feedback[i - 1].weights
    net.update(alpha)
    return out


def _dfa_raw_error(net, feedback, x, y, alpha):
    """DFA, but each hidden layer gets output - y, not the output layer's delta."""
    out = net.forward(x)
    net.layers[-1].backward(out - y, need_input_grad=False)
    for layer, f in zip(net.layers[:-1], feedback):
        layer.backward((out - y) @ f.weights, need_input_grad=False)
    net.update(alpha)
    return out


def _same(a, b):
    return all(np.allclose(p, q, rtol=1e-9, atol=1e-12) for p, q in zip(a, b))


def _run(step, seed, method, steps, alpha=0.5, may_change=True):
    net, feedback, x, y = small_setup(seed, method)
    out = None
    for _ in range(steps):
        if may_change:
            out = call(step, net, feedback, x, y, alpha, may_change=[net])
        else:
            out = step(net, feedback, x, y, alpha)
    return net, out


def _test_step(answer, method):
    reference = package_fa_step if method == "fa" else package_dfa_step
    name = f"{method}_step"
    net, feedback, x, y = small_setup(0, method)
    start = net.copy()
    try:
        out = call(answer, net, feedback, x, y, 0.5, may_change=[net])
    except IndexError as error:  # most likely feedback[i] where feedback[i - 1] was meant (FA)
        rule = ("the layer below net.layers[i] gets its gradient from feedback[i - 1]" if method == "fa"
                else "hidden layer net.layers[k] gets feedback[k].predict(the output layer's delta)")
        raise Incorrect(f"your code raised IndexError: {error}. feedback holds one matrix per hidden layer "
                        f"({len(feedback)} here), and feedback[k] serves net.layers[k]: {rule}") from None
    out = as_array(out, f"what {name} returns")
    good, good_out = _run(reference, 0, method, 1, may_change=False)
    if np.shape(out) != good_out.shape:
        raise Incorrect(f"{name} should return the output of the last layer, shape {good_out.shape}; "
                        f"yours has shape {np.shape(out)}")
    mistakes = [(_backprop, "the error goes down through each layer's own transposed weights: that is "
                            "backprop. Use the fixed matrices in feedback instead")]
    if method == "fa":
        mistakes.append((_fa_without_slope, "the gradient sent down skips the layer's sigmoid slope: send "
                                               "the layer's delta (what backward keeps), not the gradient it got"))
    else:
        mistakes += [(_dfa_raw_error, "the hidden layers get output - y: DFA sends them the output layer's "
                                      "delta, which includes the output's sigmoid slope")]
    # From the top down: a mistake in a layer's gradient reaches the layers below it (FA).
    for i in range(len(net.layers) - 1, -1, -1):
        mine, right, before = net.layers[i], good.layers[i], start.layers[i]
        if _same(mine.parameters(), right.parameters()):
            continue
        if _same(mine.parameters(), before.parameters()):
            raise Incorrect(f"layer {i + 1}'s weights did not change: every layer updates in a {method.upper()} step")
        if i == len(net.layers) - 1:
            raise Incorrect("the last layer's update is wrong: it uses the true gradient of the loss, "
                            "output - y, as in backprop")
        for mistake, message in mistakes:
            wrong, _ = _run(mistake, 0, method, 1, may_change=False)
            if _same(mine.parameters(), wrong.layers[i].parameters()):
                raise Incorrect(message)
        sent = ("the delta of the layer above, through feedback[i - 1]" if method == "fa"
                else "the output layer's delta, through feedback[i]")
        raise Incorrect(f"layer {i + 1}'s update differs from a {method.upper()} step's: a hidden layer "
                        f"gets {sent}")
    if not np.allclose(out, good_out):
        raise Incorrect("the returned output is not the last layer's output during this step")
    # Several steps in a row, from another start: the same as the package's.
    mine3, out3 = _run(answer, 7, method, 3)
    good3, good_out3 = _run(reference, 7, method, 3, may_change=False)
    if not (_same(mine3.parameters(), good3.parameters()) and np.allclose(out3, good_out3)):
        raise Incorrect("one step is right, but three steps in a row from another start differ: "
                        "does your function keep something between calls?")


fa_step = Exercise(
    "fa_step", lambda answer: _test_step(answer, "fa"),
    hint="Forward with net.forward(x). Then go down the layers, last first: i runs from "
         "len(net.layers) - 1 down to 0, with a gradient that starts as output - y. "
         "net.layers[i].backward(grad, need_input_grad=False) keeps that layer's delta. feedback[k] "
         "serves net.layers[k] (hidden layers only), so while i > 0 the gradient for the layer below "
         "is feedback[i - 1].predict(layer.delta) (backprop would use layer.delta @ layer.weights.T). "
         "At the end net.update(alpha); return the output.",
    solution='''
def fa_step(net, feedback, x, y, alpha):
    """One feedback-alignment step on the batch (x, y); returns the network's output."""
    out = net.forward(x)
    grad = out - y  # the true gradient at the output
    for i in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[i]
        layer.backward(grad, need_input_grad=False)  # keeps layer.delta
        if i > 0:
            grad = feedback[i - 1].predict(layer.delta)  # backprop: @ layer.weights.T
    net.update(alpha)
    return out
''')

dfa_step = Exercise(
    "dfa_step", lambda answer: _test_step(answer, "dfa"),
    hint="Forward with net.forward(x). The last layer's backward(output - y, need_input_grad=False) "
         "keeps its delta. Each hidden layer net.layers[i] (i from 0 to len(feedback) - 1) then gets "
         "feedback[i].predict(that delta) as its gradient (its own backward, need_input_grad=False). Then net.update(alpha); return the output.",
    solution='''
def dfa_step(net, feedback, x, y, alpha):
    """One direct-feedback-alignment step on the batch (x, y); returns the output."""
    out = net.forward(x)
    last = net.layers[-1]
    last.backward(out - y, need_input_grad=False)  # keeps last.delta, the output's error
    for layer, fixed in zip(net.layers[:-1], feedback):
        layer.backward(fixed.predict(last.delta), need_input_grad=False)  # straight to it
    net.update(alpha)
    return out
''')
