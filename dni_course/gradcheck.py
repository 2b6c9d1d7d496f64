"""Numerical gradient checks (notebook 02).

Each check takes the update our code really makes (with a step size of 1, so the change
in a parameter *is* minus its gradient) and compares it with central finite differences
of the loss. A relative error near 1e-7 means the backward rule is right; 1e-2 is a bug.
"""
import numpy as np


def relative_error(analytic, numeric):
    """|a - n| / (|a| + |n|) over the whole array (0 when both are zero)."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0


def numerical_gradient(loss, param, eps=1e-6):
    """Central differences of ``loss()`` with respect to each entry of ``param`` (changed in place, then restored)."""
    grad = np.zeros_like(param, dtype=np.float64)
    flat, gflat = param.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = loss()
        flat[i] = keep - eps
        down = loss()
        flat[i] = keep
        gflat[i] = (up - down) / (2 * eps)
    return grad


def _step_as_gradient(params, step):
    """Run ``step()`` (an update with step size 1) and return, per parameter, minus the change it made."""
    before = [p.copy() for p in params]
    step()
    grads = [b - p for b, p in zip(before, params)]
    for p, b in zip(params, before):
        p[...] = b
    return grads


def check_network(net, x, y):
    """Relative error of each backprop update in ``net`` (a float64 network) on the loss
    0.5 * sum((output - y)**2). Returns one number per parameter, bottom layer first."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if net.dtype != np.float64:
        raise ValueError("gradient checks need a float64 network: Network.create(..., dtype='float64')")

    def loss():
        return 0.5 * float(np.sum((net.forward(x) - y) ** 2))

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
    h, target = np.asarray(h, dtype=np.float64), np.asarray(target, dtype=np.float64)

    def loss():
        guess = generator.predict(h, labels)
        return 0.5 * float(np.sum((guess - target) ** 2)) / len(h)

    def step():
        generator.predict(h, labels)
        generator.learn(target, 1.0)

    params = generator.parameters()
    analytic = _step_as_gradient(params, step)
    return [relative_error(a, numerical_gradient(loss, p)) for a, p in zip(analytic, params)]
