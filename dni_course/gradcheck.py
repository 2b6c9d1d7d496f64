"""Numerical gradient checks (notebook 02).

Each check takes the update our code really makes (with a step size of 1, so the change
in a parameter *is* minus its gradient) and compares it with central finite differences
of the loss. A relative error near 1e-7 means the backward rule is right; 1e-2 is a bug.
"""
import numpy as np

from .checks import (check_array, check_callable, check_instance, check_nonscalar, check_positive,
                     check_real, check_rows, check_same_shape, check_weights)


def relative_error(analytic, numeric):
    """|a - n| / (|a| + |n|) over the whole array (0 when both are zero).

    Both are first divided by their largest absolute value. The ratio stays the same, no
    square in the norms overflows (as 1e200 ** 2 would), and those that underflow (as
    1e-200 ** 2 would) are too small next to the largest entry, now 1, to matter."""
    analytic = check_nonscalar("analytic", check_array("analytic", analytic, shape=None))
    numeric = check_same_shape("numeric", check_array("numeric", numeric, shape=None), "analytic", analytic)
    a, n = analytic.astype(float), numeric.astype(float)
    top = max(np.max(np.abs(a)), np.max(np.abs(n)))
    if top == 0:
        return 0.0
    a, n = a / top, n / top
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))


def numerical_gradient(loss, param, eps=1e-6):
    """Central differences of ``loss()`` with respect to each entry of ``param``.

    Each entry is nudged in place, then restored. ``param`` may be a view such as ``W.T``:
    the nudge reaches ``W``. The slope divides by the step the array really stored, which
    rounding can make differ from ``2 * eps`` (float32, or large entries)."""
    check_callable("loss", loss)
    param = check_weights("param", param, shape=None)
    eps = check_positive("eps", eps)
    if not param.flags.writeable:
        raise ValueError(f"param must be a writeable array (numerical_gradient nudges it in place), "
                         f"got a read-only array of shape {param.shape}")
    loss = _checked_loss(loss)
    grad = np.zeros(param.shape)
    for i in np.ndindex(param.shape):
        keep = param[i]
        try:
            param[i] = keep + eps
            high, up = float(param[i]), loss()
            param[i] = keep - eps
            low, down = float(param[i]), loss()
        finally:
            param[i] = keep
        if high == low:
            raise ValueError(f"eps={eps} is too small to nudge param{list(i)} = {keep}: in {param.dtype} the "
                             f"nudged value rounds back to it; eps must be larger than {np.spacing(keep)}")
        grad[i] = (up - down) / (high - low)
    return grad


def _checked_loss(loss):
    """``loss`` whose every result must be a finite number, so a wrong loss cannot pass silently."""
    def checked():
        value = loss()
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.item()
        return check_real("the value returned by loss()", value)
    return checked


def _step_as_gradient(params, step):
    """Run ``step()`` (an update with step size 1) and return, per parameter, minus the change it made."""
    before = [p.copy() for p in params]
    step()
    grads = [b - p for b, p in zip(before, params)]
    for p, b in zip(params, before):
        p[...] = b
    return grads


def check_network(net, x, y):
    """Relative error of each backprop update in ``net`` (a float64 network) on its loss
    (``net.loss``: 0.5 * sum((output - y)**2), or cross-entropy after a softmax).
    Returns one number per parameter, bottom layer first."""
    from .layers import Network

    check_instance("net", net, Network, " (see dni_course.Network.create)")
    if net.dtype != np.float64:
        raise ValueError(f"net must be a float64 network for gradient checks (Network.create(..., "
                         f"dtype='float64')), got dtype {net.dtype}")
    x = check_array("x", x, (None, net.sizes[0])).astype(np.float64)
    y = check_rows("y", check_array("y", y, (None, net.sizes[-1]), low=0, high=1), "x", x).astype(np.float64)

    def loss():
        return net.loss(net.forward(x), y)

    def step():
        out = net.forward(x)
        net.backward(out - y)
        net.update(1.0)

    params = net.parameters()
    analytic = _step_as_gradient(params, step)
    return [relative_error(a, numerical_gradient(loss, p)) for a, p in zip(analytic, params)]


def check_generator(generator, h, target, labels=None):
    """Relative error of a synthetic-gradient generator's update on its own loss,
    0.5 * mean over the batch of |guess - target|^2. Returns one number per parameter."""
    if not all(callable(getattr(generator, m, None)) for m in ("predict", "learn", "parameters")):
        raise TypeError(f"generator must be a synthetic-gradient generator such as dni_course.SyntheticGradient, "
                        f"got {type(generator).__name__}")
    if any(p.dtype != np.float64 for p in generator.parameters()):
        raise ValueError(f"generator must be a float64 generator for gradient checks (SyntheticGradient(..., "
                         f"dtype='float64')), got dtype {generator.parameters()[0].dtype}")
    n_out = generator.weights.shape[1]
    h = check_array("h", h, (None, n_out)).astype(np.float64)
    target = check_rows("target", check_array("target", target, (None, n_out)), "h", h).astype(np.float64)
    if generator.n_labels:
        labels = check_array("labels", labels, (None, generator.n_labels))
        labels = check_rows("labels", labels, "h", h).astype(np.float64)
    elif labels is not None:
        raise ValueError(f"labels must be None for a generator without labels (n_labels=0), got {type(labels).__name__}")

    def loss():
        guess = generator.predict(h, labels)
        return 0.5 * float(np.sum((guess - target) ** 2)) / len(h)

    def step():
        generator.predict(h, labels)
        generator.learn(target, 1.0)

    params = generator.parameters()
    analytic = _step_as_gradient(params, step)
    return [relative_error(a, numerical_gradient(loss, p)) for a, p in zip(analytic, params)]
