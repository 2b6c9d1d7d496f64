"""Exercises of notebook 03: a Layer's backward and update, written as subclasses of dc.Layer."""
import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..layers import Layer
from . import Exercise, Incorrect, NotAttempted, as_array, call, finite, identical


def _fixed_layer(cls, bias=False):
    """A 4-input, 3-unit layer of class ``cls`` in float64, a batch of 5 inputs and a fixed
    gradient with respect to the layer's output (the loss is sum(grad_output * output))."""
    rng = np.random.RandomState(7)
    weights = rng.randn(4, 3) * 0.8
    b = rng.randn(3) * 0.5 if bias else None
    x = rng.rand(5, 4)
    grad_output = rng.randn(5, 3)
    try:
        layer = cls(weights, b)
    except TypeError as error:
        raise Incorrect(f"could not build your layer as {cls.__name__}(weights, bias): {error}") from None
    if not isinstance(layer, Layer):
        raise Incorrect(f"{cls.__name__} must be a subclass of dc.Layer: class {cls.__name__}(dc.Layer)")
    return layer, x, grad_output


# The arrays a layer shares with its neighbours in a network: backward and update only read them.
SHARED = {"input": "self.input, which is the layer below's output itself (not a copy)",
          "output": "self.output, which the layer above uses as its input"}


def _shared(layer):
    return {name: np.copy(getattr(layer, name)) for name in SHARED}


def _check_shared(layer, kept, method):
    for name, what in SHARED.items():
        if not identical(np.asarray(getattr(layer, name)), kept[name]):
            raise Incorrect(f"{method} changed {what}: leave it unchanged and compute new arrays")


def _check_class(cls):
    if cls is None:
        raise NotAttempted("there is no answer yet")
    if not isinstance(cls, type):
        raise Incorrect(f"expected a class (a subclass of dc.Layer), got {type(cls).__name__}")


def _test_backward(cls):
    _check_class(cls)
    layer, x, grad_output = _fixed_layer(cls)
    out = layer.forward(x.copy())
    weights, kept = layer.weights.copy(), _shared(layer)
    returned = as_array(call(layer.backward, grad_output), "what backward returns")
    if not identical(layer.weights, weights):
        raise Incorrect("backward must not change the weights: that is update's job")
    _check_shared(layer, kept, "backward")
    if returned.shape != x.shape:
        raise Incorrect(f"backward should return dLoss/d(input): one row per example, one column per input, "
                        f"here shape {x.shape}; yours has shape {returned.shape}")
    if layer.delta is None or np.shape(layer.delta) != out.shape:
        raise Incorrect(f"backward must keep dLoss/d(pre-activation) in self.delta, with the shape of the "
                        f"layer's output {out.shape} (update needs it)")

    def loss():
        return float(np.sum(grad_output * Layer(layer.weights).forward(x)))

    delta = as_array(layer.delta, "self.delta")
    finite(delta, "self.delta")
    numeric = numerical_gradient(loss, layer.weights)  # dLoss/dW = x.T @ delta when delta is right
    if float(np.sum((x.T @ delta) * numeric)) < 0:
        raise Incorrect("self.delta has the wrong sign: a step along it would make the loss go up")
    error = relative_error(x.T @ delta, numeric)
    if not error < 1e-6:
        raise Incorrect(f"self.delta fails the gradient check: the weight gradient it gives differs from "
                        f"finite differences of the loss, relative error {error:.1e}")
    x_probe = x.copy()

    def loss_of_input():
        return float(np.sum(grad_output * Layer(layer.weights).forward(x_probe)))

    numeric = numerical_gradient(loss_of_input, x_probe)
    finite(returned, "the gradient backward returns")
    error = relative_error(returned, numeric)
    if not error < 1e-6:
        raise Incorrect(f"the returned gradient fails the gradient check against finite differences with "
                        f"respect to the input, relative error {error:.1e} (self.delta passes)")
    # The bottom layer has nobody to send a gradient to: it skips the product.
    layer, x, grad_output = _fixed_layer(cls)
    layer.forward(x.copy())
    if layer.backward(grad_output.copy(), need_input_grad=False) is not None:
        raise Incorrect("with need_input_grad=False, backward should skip the product and return None")
    if layer.delta is None or not np.allclose(layer.delta, delta):
        raise Incorrect("with need_input_grad=False, backward must still keep self.delta (update needs it)")


def _numerical_gradient(params, i, x, grad_output):
    """Finite differences of sum(grad_output * output) with respect to ``params[i]`` (weights, bias)."""
    probe = [p.copy() for p in params]

    def loss():
        return float(np.sum(grad_output * Layer(*probe).forward(x)))

    return numerical_gradient(loss, probe[i])


def _test_update(cls):
    _check_class(cls)
    for bias in (False, True):
        layer, x, grad_output = _fixed_layer(cls, bias)
        layer.forward(x.copy())
        Layer.backward(layer, grad_output)  # the package's backward: this exercise is only about update
        params, kept = layer.parameters(), _shared(layer)
        before = [p.copy() for p in params]
        alpha = 0.5
        # Gradients by finite differences, at the parameters before the step.
        grads = [_numerical_gradient(before, i, x, grad_output) for i in range(len(before))]
        call(layer.update, alpha, returns=False)  # changing the layer is the exercise
        _check_shared(layer, kept, "update")
        now = layer.parameters()
        names = ["self.weights", "self.bias"]
        for name, p_now in zip(names, now):
            finite(p_now, f"after update, {name}")
        for name, p_before, p_now, p_kept in zip(names, before, now, params):
            if p_now is not p_kept:
                raise Incorrect(f"update must change {name} in place (with -=): the Network and the gradient "
                                f"checks keep hold of the same arrays, so a new array is never seen")
        for name, p_before, p_now, grad in zip(names, before, now, grads):
            step = p_now - p_before
            if not np.any(step):
                where = " on a layer with a bias" if name == "self.bias" else ""
                raise Incorrect(f"update did not change {name}{where}")
            if float(np.sum(step * grad)) > 0:
                raise Incorrect(f"{name} moves uphill: the step makes the loss bigger (check its sign)")
            if np.allclose(step, -grad):
                raise Incorrect(f"the step of {name} is not scaled by the learning rate alpha")
            if np.allclose(step, -alpha * grad / len(x)):
                raise Incorrect(f"the step of {name} is averaged over the batch; the course's loss is the "
                                f"batch's sum, so the step sums over the examples")
            error = relative_error(step, -alpha * grad)
            if not error < 1e-6:
                raise Incorrect(f"the step of {name} does not match -alpha times the gradient from finite "
                                f"differences (relative error {error:.1e})")


backward = Exercise(
    "backward", _test_backward,
    hint="forward kept self.output. The gradient at the pre-activation is grad_output times the "
         "sigmoid's slope, self.output * (1 - self.output); store it in self.delta. The gradient for the "
         "layer below goes back through the weights: a product with self.weights transposed.",
    solution='''
class BackwardLayer(dc.Layer):
    def backward(self, grad_output, need_input_grad=True):
        """Keep dLoss/d(pre-activation) in self.delta; return dLoss/d(input), or None."""
        self.delta = grad_output * self.output * (1 - self.output)
        if need_input_grad:
            return self.delta @ self.weights.T
        return None
''')

update = Exercise(
    "update", _test_update,
    hint="The gradient of the summed batch loss with respect to the weights is self.input transposed "
         "times self.delta (a matrix product); for the bias it is self.delta summed over the examples "
         "(axis 0). Step against the gradient, scaled by alpha, with -= so the arrays change in place.",
    solution='''
class UpdateLayer(dc.Layer):
    def update(self, alpha):
        """One gradient-descent step, on the weights and (if there is one) the bias."""
        self.weights -= alpha * (self.input.T @ self.delta)
        if self.bias is not None:
            self.bias -= alpha * self.delta.sum(axis=0)
''')
