"""Exercises of notebook 04: the generator's learning step and the DNI training step."""
import numpy as np

from ..gradcheck import check_generator
from ..layers import Network, SyntheticGradient
from ..training import synthetic_step
from . import Exercise, Incorrect, NotAttempted, as_array, call, finite, identical


# ---------------------------------------------------------------- exercise 1: learn

def _generator(cls, n_out, n_labels, bias, seed):
    """A generator of class ``cls`` with small random weights (zeros would hide a wrong step)."""
    rng = np.random.default_rng(seed)
    gen = cls(n_out, n_labels, np.float64, bias=bias)
    gen.weights[...] = rng.normal(0, 0.3, gen.weights.shape)
    if gen.bias is not None:
        gen.bias[...] = rng.normal(0, 0.3, gen.bias.shape)
    return gen


def _batch(n, n_out, n_labels, seed):
    rng = np.random.default_rng(seed)
    h = rng.random((n, n_out))
    labels = (rng.random((n, n_labels)) > 0.5).astype(float) if n_labels else None
    return h, labels, rng.normal(0, 0.5, (n, n_out))


def _one_step(gen, h, labels, target, alpha):
    """Copies of the parameters after one predict + learn (changing the generator is the exercise)."""
    gen.predict(h.copy(), labels)
    seen = gen.input.copy()
    call(gen.learn, target, alpha, returns=False)
    if not identical(gen.input, seen):
        raise Incorrect("learn changed self.input, what predict saw (without labels, the layer's output "
                        "itself, not a copy): leave it unchanged and compute new arrays")
    return [p.copy() for p in gen.parameters()]


def _test_learn(cls):
    if cls is None:
        raise NotAttempted("there is no answer yet")
    if not (isinstance(cls, type) and issubclass(cls, SyntheticGradient)):
        raise Incorrect("pass the class itself (a subclass of dc.SyntheticGradient), not an instance")
    h, labels, target = _batch(6, 4, 0, seed=1)
    gen = _generator(cls, 4, 0, True, seed=2)
    before = [p.copy() for p in gen.parameters()]
    after = _one_step(gen, h, labels, target, 0.1)
    for p in after:
        finite(p, "after learn, the weights or the bias")
    if any(p.shape != b.shape for p, b in zip(after, before)):
        raise Incorrect("learn changed the shape of the weights or the bias: update them in place")
    if all(np.array_equal(p, b) for p, b in zip(after, before)):
        raise Incorrect("learn left the weights and the bias as they were: it must change them")
    # What the package's generator does, from the same start.
    ref = _generator(SyntheticGradient, 4, 0, True, seed=2)
    good = _one_step(ref, h, labels, target, 0.1)
    steps = [a - b for a, b in zip(after, before)]
    right = [g - b for g, b in zip(good, before)]
    if all(np.allclose(s, -r) for s, r in zip(steps, right)):
        raise Incorrect("the step goes uphill: the generator's loss grows (check the sign)")
    if all(np.allclose(s, len(h) * r) for s, r in zip(steps, right)):
        raise Incorrect("the step is as large as for the loss summed over the batch: "
                        "the loss is a mean over the examples")
    if np.allclose(steps[0], right[0]) and not np.allclose(steps[1], right[1]):
        raise Incorrect("the weights move right but the bias does not")
    if not np.allclose(steps[0], right[0]) and np.allclose(steps[1], right[1]):
        raise Incorrect("the bias moves right but the weights do not")
    error = np.max(check_generator(_generator(cls, 4, 0, True, seed=2), h.copy(), target.copy()))
    if not error <= 1e-6:
        raise Incorrect(f"the gradient check fails: the step is not minus the gradient of "
                        f"0.5 * mean |guess - target|^2 (relative error {error:.1e})")
    # A cDNI generator (input [h, labels]) and one without a bias must work as well.
    for n_labels, bias in ((3, True), (0, False)):
        h, labels, target = _batch(5, 4, n_labels, seed=3)
        mine = _one_step(_generator(cls, 4, n_labels, bias, seed=4), h, labels, target, 0.2)
        ref = _one_step(_generator(SyntheticGradient, 4, n_labels, bias, seed=4), h, labels, target, 0.2)
        if len(mine) != len(ref) or not all(np.allclose(m, r) for m, r in zip(mine, ref)):
            kind = "that also sees the labels (cDNI)" if n_labels else "without a bias"
            raise Incorrect(f"right on a plain generator, wrong on a generator {kind}: use self.input "
                            "(what predict saw) and update the bias only when there is one")


learn = Exercise(
    "learn", _test_learn,
    hint="predict kept what it saw in self.input and its answer in self.guess. The error is "
         "guess - target; the gradient of the mean loss with respect to the weights is "
         "self.input.T @ error divided by the batch size, and with respect to the bias the "
         "column sums of error divided by the batch size. Subtract alpha times each.",
    solution='''
class MyGenerator(dc.SyntheticGradient):
    def learn(self, target, alpha):
        """One gradient step on 0.5 * mean over the batch of |guess - target|^2."""
        error = self.guess - target
        scale = alpha / len(error)
        self.weights -= scale * (self.input.T @ error)
        if self.bias is not None:
            self.bias -= scale * error.sum(axis=0)
''')


# ---------------------------------------------------------------- exercise 2: the DNI step

def small_setup(seed, n_labels=0):
    """A small float64 network (5-4-3-2, biases), generators that already guess something
    (``n_labels`` > 0: they also see the labels), and one batch ``x, y``."""
    net = Network.create((5, 4, 3, 2), seed=seed, bias=True, dtype=np.float64)
    rng = np.random.default_rng(seed + 100)
    gens = []
    for n in net.sizes[1:-1]:
        gen = SyntheticGradient(n, n_labels, np.float64)
        gen.weights[...] = rng.normal(0, 0.5, gen.weights.shape)
        gen.bias[...] = rng.normal(0, 0.5, gen.bias.shape)
        gens.append(gen)
    x = (rng.random((6, 5)) > 0.5).astype(float)
    y = (rng.random((6, 2)) > 0.5).astype(float)
    return net, gens, x, y


def copy_setup(net, gens):
    """Independent copies of a network and its (linear) generators."""
    new = []
    for g in gens:
        c = SyntheticGradient(g.weights.shape[1], g.n_labels, np.float64)
        c.weights[...], c.bias[...] = g.weights, g.bias
        new.append(c)
    return net.copy(), new


def _late_step(net, gens, x, y, alpha, gen_alpha):
    """The post's trap 3: the gradient goes down through the weights *after* their update."""
    h = x
    for i, layer in enumerate(net.layers):
        h = layer.forward(h)
        grad = gens[i].predict(h, y) if i < len(net.layers) - 1 else h - y
        layer.backward(grad, need_input_grad=False)
        layer.update(alpha)
        if i > 0:
            gens[i - 1].learn(layer.delta @ layer.weights.T, gen_alpha)
    return h


def _same(a, b):
    return all(np.allclose(p, q, rtol=1e-9, atol=1e-12) for p, q in zip(a, b))


def _run_steps(step, seed, n_labels, steps, alpha=0.5, gen_alpha=0.3):
    net, gens, x, y = small_setup(seed, n_labels)
    out = None
    for _ in range(steps):
        out = call(step, net, gens, x, y, alpha, gen_alpha, may_change=[net, gens])
    return net, gens, out


def _test_step(dni_step, n_labels=0):
    net, gens, x, y = small_setup(0, n_labels)
    start_net, start_gens = copy_setup(net, gens)
    out = call(dni_step, net, gens, x, y, 0.5, 0.3, may_change=[net, gens])  # a step changes both
    out = as_array(out, "what dni_step returns")
    ref_net, ref_gens, ref_out = _run_steps(synthetic_step, 0, n_labels, 1)
    if np.shape(out) != ref_out.shape:
        raise Incorrect(f"dni_step should return the output of the last layer, shape {ref_out.shape}; "
                        f"yours has shape {np.shape(out)}")
    layers = [l.parameters() for l in net.layers]
    if all(_same(l.parameters(), s.parameters()) for l, s in zip(net.layers, start_net.layers)):
        raise Incorrect("no layer's weights changed: each layer must update with its gradient")
    _, late_gens, _ = _run_steps(_late_step, 0, n_labels, 1)
    for i, (mine, good, start) in enumerate(zip(layers, ref_net.layers, start_net.layers)):
        if not _same(mine, good.parameters()):
            last = i == len(layers) - 1
            if _same(mine, start.parameters()):
                raise Incorrect(f"layer {i + 1}'s weights did not change: every layer updates in a DNI step")
            if last:
                raise Incorrect("the last layer's update is wrong: it uses the true gradient of the "
                                "loss, output - y, not a guess")
            raise Incorrect(f"layer {i + 1}'s update differs from a DNI step's: it uses its own "
                            "generator's guess, asked right after its forward pass")
    if not np.allclose(out, ref_out):
        raise Incorrect("the returned output is not the last layer's output during this step")
    for i, (mine, good, start, late) in enumerate(zip(gens, ref_gens, start_gens, late_gens)):
        if _same(mine.parameters(), good.parameters()):
            continue
        if _same(mine.parameters(), start.parameters()):
            raise Incorrect(f"generator {i + 1} did not learn: it learns from the gradient that "
                            f"layer {i + 2} sends down")
        if _same(mine.parameters(), late.parameters()):
            raise Incorrect(f"generator {i + 1} learned from a gradient sent down through layer "
                            f"{i + 2}'s weights after their update: use the weights as they were "
                            "when the gradient was computed")
        raise Incorrect(f"generator {i + 1}'s step differs from a DNI step's: its target is the "
                        f"gradient layer {i + 2} sends down to layer {i + 1}")
    # Several steps in a row, from another start: the same as the package's.
    net3, gens3, out3 = _run_steps(dni_step, 7, n_labels, 3)
    ref3, ref_gens3, ref_out3 = _run_steps(synthetic_step, 7, n_labels, 3)
    if not (_same(net3.parameters(), ref3.parameters()) and
            _same([p for g in gens3 for p in g.parameters()], [p for g in ref_gens3 for p in g.parameters()])):
        raise Incorrect("one step is right, but three steps in a row from another start differ: "
                        "does your function keep something between calls?")


dni_step = Exercise(
    "dni_step", _test_step,
    hint="One loop over net.layers with index i. Forward; the gradient is gens[i].predict(h, y) "
         "for a hidden layer and h - y for the last one; layer.backward(grad) returns the "
         "gradient for the layer below (from the weights as they are now), so call it before "
         "layer.update(alpha); then, if i > 0, that gradient is the target of gens[i - 1].learn.",
    solution='''
def dni_step(net, gens, x, y, alpha, gen_alpha):
    """One DNI step on the batch (x, y); returns the network's output."""
    h = x
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        h = layer.forward(h)
        grad = h - y if i == last else gens[i].predict(h, y)
        sent_down = layer.backward(grad)  # through the weights before the update
        layer.update(alpha)
        if i > 0:
            gens[i - 1].learn(sent_down, gen_alpha)  # the target of the generator below
    return h
''')
