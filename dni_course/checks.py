"""Argument checks shared by the public functions.

A student who passes a bad value should read what was wrong and what is allowed,
not a numpy traceback from deep inside the training loop. Every message names the
argument, shows the value (or its type) and says what is allowed.

The checks called inside the training loop (``check_batch``, ``check_rate``) first try a
fast test of the usual case, so that checking costs a fraction of a microsecond there.
"""
import math
import numbers

import numpy as np

MAX_LAYER_SIZE = 10_000  # units in one layer: the course's widest has 256
LAYER_SIZE_WHY = "The course's widest layer has 256 units: a wider one than that limit is taken for a typo"
# Bounds on a network's size, so that a typo (a size of 10**7, a list of a million sizes) stops
# with a message instead of filling the memory. Each is far above anything the course builds.
# Layers of weights: each is a Python object stepped one after the other, so 1000 layers make
# one batch step take about 10 ms. The course's deepest network has 6.
MAX_LAYERS = 1000
# Weights of one network or one generator: 80 MB at float64, and drawing them at random needs
# about three times that for a moment. The course's largest network has 12 032.
MAX_WEIGHTS = 10_000_000
# Numbers in one pass of a network over a batch (rows x the sum of its layer sizes): 268 MB at
# float64, and backward keeps as many again. The course's largest pass (the 1438 training digits
# through 6 layers) holds 566 572.
MAX_ACTIVATIONS = 2 ** 25
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def big(n):
    """A whole number as a Python literal a student can read and paste: 1_000_000 (below 100_000 as it is)."""
    return f"{n:_}" if abs(n) >= 100_000 else str(n)


def _show(value):
    """A short description of a value for a message: its repr when short, else its type."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def check_int(name, value, low=None, high=None, why=""):
    """Return ``value`` as an int if it is a whole number in [low, high] (not a bool, not 2.0).

    ``why`` (a sentence) is added to the message when ``value`` is above ``high``, to say why
    that is the largest allowed value."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {_show(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        top = None if high is None else big(high)
        if high is None:
            allowed = f"at least {low}"
        elif low is None:
            allowed = f"at most {top}"
        else:
            allowed = f"between {low} and {top}"
        reason = f". {why}" if why and high is not None and value > high else ""
        raise ValueError(f"{name} must be {allowed}, got {value}{reason}")
    return value


def check_real(name, value):
    """Return ``value`` as a float if it is a finite number (either sign; not a bool)."""
    if type(value) is float and math.isfinite(value):  # the usual case, fast
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_show(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


# The learning rate passed to update()/learn() in the training loop: any finite number
# (negative is gradient ascent, which notebook 04 replays on purpose).
check_rate = check_real


def check_positive(name, value):
    """Return ``value`` as a float if it is a finite number above zero."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_show(value)}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number above 0, got {value}")
    return value


def check_fraction(name, value):
    """Return ``value`` as a float if it lies in [0, 1]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between 0 and 1, got {_show(value)}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return value


def check_bool(name, value):
    """Return ``value`` if it is True or False (not 1, not "no", which would count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_show(value)}")
    return bool(value)


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices`` (compared by type and value, so 1 is not True)."""
    for choice in choices:
        if isinstance(value, type(choice)) and _same(value, choice):
            return value
    allowed = ", ".join(repr(c) for c in choices)
    raise ValueError(f"{name} must be one of {allowed}, got {_show(value)}")


def _same(value, choice):
    try:
        return bool(value == choice)
    except (TypeError, ValueError):
        return False


def check_dtype(name, value):
    """Return ``value`` as a numpy dtype if it names float32 or float64."""
    if not isinstance(value, (str, type, np.dtype)):
        raise TypeError(f"{name} must be 'float32' or 'float64', got {_show(value)}")
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or not any(dtype == d for d in DTYPES):
        raise ValueError(f"{name} must be 'float32' or 'float64', got {_show(value)}")
    return dtype


def check_callable(name, value):
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {_show(value)}")
    return value


def check_instance(name, value, cls, hint=""):
    """Return ``value`` if it is a ``cls`` (``hint`` says where to get one)."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be a {cls.__name__}{hint}, got {_show(value)}")
    return value


def _shape_text(shape):
    sizes = ["any" if s is None else str(s) for s in shape]
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"


def check_array(name, value, shape, finite=True, low=None, high=None):
    """Return ``value`` as an array of real numbers with the given shape.

    ``shape`` is a tuple of sizes, None meaning any size of at least 1; ``shape=None``
    allows any shape. Bools, strings, complex numbers and (when ``finite``) NaN or
    infinity are refused, as are values outside [low, high] when those are given.
    Lists (and arrays of dtype object) must hold only numbers, as a single value must: ``["1"]``
    is refused as ``"1"`` is. They become float arrays; other arrays are returned as they are
    (no copy).
    """
    if isinstance(value, np.ndarray) and value.dtype.kind != "O":
        array = value
    else:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError(f"{name} must be an array of numbers, got {_show(value)}")
        _check_items(name, value)
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise TypeError(f"{name} must be an array of numbers, got {_show(value)}") from None
    if array.dtype.kind not in "fiu":
        kind = {"b": "True/False", "U": "strings", "S": "strings"}.get(array.dtype.kind, f"dtype {array.dtype}")
        raise TypeError(f"{name} must hold real numbers, got an array of {kind} (dtype {array.dtype})")
    if shape is not None:
        wrong = array.ndim != len(shape) or any(
            s is not None and s != a for s, a in zip(shape, array.shape))
        if wrong:
            what = f"a single number, {array.item()!r}" if array.ndim == 0 else f"shape {array.shape}"
            raise ValueError(f"{name} must be an array of shape {_shape_text(shape)}, got {what}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = array[~np.isfinite(array)].flat[0]
        raise ValueError(f"{name} must hold finite numbers, got {bad} in it")
    if (low is not None or high is not None) and array.size:
        small, large = array.min(), array.max()
        if (low is not None and small < low) or (high is not None and large > high):
            raise ValueError(f"{name} must hold values between {low} and {high}, got {small if low is not None and small < low else large}")
    return array


def _check_items(name, value):
    """Every item of a list (nested lists too) or of an object array must be a real number:
    numpy would read "1" as 1.0, True as 1.0 and None as NaN without a word."""
    try:
        items = np.asarray(value, dtype=object)
    except (TypeError, ValueError):
        return  # not array-like at all: the conversion to float says so
    for item in items.flat:
        if isinstance(item, np.ndarray) and item.ndim == 0:
            item = item.item()  # a 0-d array inside a list: its number
        if isinstance(item, numbers.Real) and not isinstance(item, (bool, np.bool_)):
            continue
        if items.ndim == 0 and not isinstance(item, (bool, np.bool_)):  # not a list: a dict, a set...
            raise TypeError(f"{name} must be an array of numbers, got {_show(value)}")
        if isinstance(item, (str, bytes, np.str_, np.bytes_)):
            what = f"not strings (write 1, not '1'), got {_show(value)}"
        elif isinstance(item, (bool, np.bool_)):
            what = f"not True/False, got {_show(value)}"
        elif isinstance(item, (list, tuple, np.ndarray)):
            raise ValueError(f"{name} must be an array of numbers with rows of equal length, got {_show(value)}")
        else:
            what = f"got {_show(value)}, which holds {_show(item)}"
        raise TypeError(f"{name} must hold numbers, {what}")


def check_batch(name, value, width, rows=None):
    """The training loop's check: a 2-D float array with ``width`` columns (and ``rows`` rows).

    Only type and shape are checked (a fast path costing well under a microsecond): values
    are checked where they enter (``train``, ``predict``), and ``train`` checks for
    non-finite weights after every epoch.
    """
    if (type(value) is np.ndarray and value.ndim == 2 and value.shape[1] == width
            and value.dtype.kind == "f" and (rows is None or value.shape[0] == rows) and value.shape[0]):
        return value
    array = check_array(name, value, (rows, width), finite=False)
    return array.astype(float, copy=False)


def check_same_shape(name, value, other_name, other):
    """Both arrays checked, and ``value`` must have the shape of ``other`` (no broadcasting)."""
    if np.shape(value) != np.shape(other):
        what = f"a single number, {np.asarray(value).item()!r}" if np.ndim(value) == 0 else f"shape {np.shape(value)}"
        raise ValueError(f"{name} must have the same shape as {other_name}, {np.shape(other)}, got {what}")
    return value


def check_rows(name, value, other_name, other):
    """``value`` and ``other`` (arrays already checked) must have one row per example each."""
    if len(value) != len(other):
        raise ValueError(f"{other_name} and {name} must have the same number of rows (one per example), "
                         f"got shapes {other.shape} and {value.shape}")
    return value


def check_nonscalar(name, value):
    """An array (already checked) that is not a single number and not empty."""
    if value.ndim == 0 or value.size == 0:
        what = f"a single number, {value.item()!r}" if value.ndim == 0 else f"an empty array of shape {value.shape}"
        raise ValueError(f"{name} must be an array with at least one entry, got {what}")
    return value


def check_weights(name, value, shape=(None, None)):
    """Parameters updated in place: a float32/float64 numpy array of the given shape, finite."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of float32 or float64 (it is updated in place), "
                        f"got {_show(value)}")
    if value.dtype not in DTYPES:
        raise TypeError(f"{name} must be a float32 or float64 array (it is updated in place), "
                        f"got dtype {value.dtype}")
    return check_array(name, value, shape)


def check_sizes(name, sizes):
    """A list of at least two layer sizes, each a whole number from 1 to MAX_LAYER_SIZE; at most
    MAX_LAYERS layers of weights and MAX_WEIGHTS weights in all (see their comments)."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a list of layer sizes such as [16, 64, 32, 8], got {_show(sizes)}")
    if len(sizes) > MAX_LAYERS + 1:
        raise ValueError(f"{name} must list at most {MAX_LAYERS + 1} sizes ({MAX_LAYERS} layers of weights), got "
                         f"{len(sizes)} sizes. Each layer is stepped one after the other in Python: {MAX_LAYERS} "
                         f"layers already make every batch step take about 10 ms")
    sizes = [check_int(f"each layer size in {name}", s, low=1, high=MAX_LAYER_SIZE, why=LAYER_SIZE_WHY)
             for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"{name} must list at least an input and an output size, got {sizes}")
    check_weight_count(name, sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), f"got {_show(sizes)}, which make")
    return sizes


def check_weight_count(name, count, got):
    """Refuse a network or generator of more than MAX_WEIGHTS weights; ``got`` says what was asked for."""
    if count > MAX_WEIGHTS:
        raise ValueError(f"{name} must make at most {big(MAX_WEIGHTS)} weights ({MAX_WEIGHTS * 8 // 10 ** 6} MB at "
                         f"float64; more could fill the memory and would train far too slowly), {got} {big(count)}")


def check_rng(name, value):
    """Return ``value`` if it is a numpy random generator (``default_rng`` or ``RandomState``)."""
    if not isinstance(value, (np.random.Generator, np.random.RandomState)):
        raise TypeError(f"{name} must be a numpy random generator such as np.random.default_rng(0) "
                        f"or np.random.RandomState(1), got {_show(value)}")
    return value


def make_rng(seed, name="seed"):
    """Turn ``seed`` into a random generator.

    An int gives ``np.random.default_rng(seed)``; a ``Generator`` or a legacy
    ``RandomState`` (used to replay the post's own draws) is used as it is.
    """
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a whole number or a numpy random generator, got {_show(seed)}")
    seed = check_int(name, seed, low=0)
    return np.random.default_rng(seed)


def normal(rng, size):
    """Standard normal draws from either kind of generator."""
    if isinstance(rng, np.random.RandomState):
        return rng.randn(*size)
    return rng.standard_normal(size)


def uniform(rng, size):
    """Uniform draws in [0, 1) from either kind of generator."""
    if isinstance(rng, np.random.RandomState):
        return rng.rand(size)
    return rng.random(size)


# --- Checks for the layers and generators (dni_course.layers). Each is one line at the top of
# a method, so that the method itself still reads as the math it implements.

def check_sigmoid(z, out):
    """``sigmoid``'s input (numbers, a single number too) as a float array, and where the result
    goes: ``out``, a float array shaped like ``z`` (``z`` itself to work in place), or a new array."""
    if out is z and type(z) is np.ndarray and z.dtype.kind == "f":  # in place, as Layer.forward does: fast
        return z, out
    if not (type(z) is np.ndarray and z.dtype.kind == "f"):
        z = check_array("z", z, shape=None, finite=False).astype(float)
    if out is None:
        return z, np.empty_like(z)
    if type(out) is np.ndarray and out.shape == z.shape and out.dtype.kind == "f":
        return z, out
    raise TypeError(f"out must be None or a float array of shape {z.shape}, got {_show(out)}")


def check_layer(weights, bias):
    """A layer's parameters: a float weight matrix (n_in, n_out) and None or a bias (n_out,) of the same dtype."""
    weights = check_weights("weights", weights)
    if bias is not None:
        bias = check_weights("bias", bias, (weights.shape[1],))
        if bias.dtype != weights.dtype:
            raise TypeError(f"bias must have the dtype of weights, {weights.dtype}, got {bias.dtype}")
    return weights, bias


def check_forward(layer, x):
    """The input of ``layer.forward``: a float batch with one column per row of the weights."""
    weights = layer.weights
    if (type(x) is np.ndarray and x.ndim == 2 and x.shape[1] == weights.shape[0]
            and x.dtype.kind == "f" and x.shape[0]):  # the usual case, fast
        return x
    return check_batch("x", x, weights.shape[0])


def check_backward(layer, grad_output):
    """The gradient given to ``layer.backward``: exactly the shape of the output of the last forward."""
    out = layer.output
    if out is None:
        raise RuntimeError("call forward(x) before backward: backward needs the output it made")
    if type(grad_output) is np.ndarray and grad_output.shape == out.shape and grad_output.dtype.kind == "f":
        return grad_output
    return check_batch("grad_output", grad_output, out.shape[1], rows=out.shape[0])


def check_update(layer, alpha):
    """The step size of ``update`` (any finite number: negative is gradient ascent), after a backward."""
    if layer.delta is None:
        raise RuntimeError("call forward(x) and backward(grad) before update: update needs their results")
    return check_rate("alpha", alpha)


def check_generator_args(n_out, n_labels, dtype):
    """Sizes of a synthetic-gradient generator and its dtype."""
    n_out = check_int("n_out", n_out, low=1, high=MAX_LAYER_SIZE)
    n_labels = check_int("n_labels", n_labels, low=0, high=MAX_LAYER_SIZE)
    return n_out, n_labels, check_dtype("dtype", dtype)


def check_predict(generator, h, labels):
    """A generator's input: ``h`` (n, n_out) and, when it sees labels (cDNI), ``labels`` (n, n_labels).

    A generator without labels (DNI) ignores ``labels``: the training loop passes them to every kind.
    """
    n_labels = generator.n_labels
    if (type(h) is np.ndarray and h.ndim == 2 and h.dtype.kind == "f" and h.shape[0]
            and h.shape[1] == generator.weights.shape[1]
            and (not n_labels or (type(labels) is np.ndarray and labels.dtype.kind == "f"
                                  and labels.shape == (h.shape[0], n_labels)))):  # the usual case, fast
        return h, labels
    h = check_batch("h", h, generator.weights.shape[1])
    if generator.n_labels:
        if labels is None:
            raise ValueError(f"labels must be given to a generator that sees labels (n_labels={generator.n_labels}), got None")
        labels = check_rows("labels", check_batch("labels", labels, generator.n_labels), "h", h)
    return h, labels


def check_learn(generator, target, alpha):
    """A generator's target (the shape of its last guess) and learning rate, after a predict."""
    guess = generator.guess
    if type(target) is np.ndarray and guess is not None and target.shape == guess.shape \
            and target.dtype.kind == "f" and type(alpha) is float and math.isfinite(alpha):  # usual case, fast
        return target, alpha
    if guess is None:
        raise RuntimeError("call predict(h) before learn: learn moves the last guess toward the target")
    target = check_batch("target", target, guess.shape[1], rows=guess.shape[0])
    return target, check_rate("alpha", alpha)


def check_layers(layers, layer_class):
    """A network's layers: a list of ``layer_class`` objects whose sizes chain (each takes the last one's output)."""
    if isinstance(layers, (str, bytes, dict, np.ndarray, layer_class)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a list of Layer objects, got {_show(layers)}")
    given, layers = layers, list(layers)
    if not layers:
        raise ValueError(f"layers must hold at least one Layer, got {_show(given)}")
    for i, layer in enumerate(layers):
        check_instance(f"layers[{i}]", layer, layer_class)
        if i and layer.weights.shape[0] != layers[i - 1].weights.shape[1]:
            raise ValueError(f"layers[{i}] must take {layers[i - 1].weights.shape[1]} inputs (layers[{i - 1}]'s "
                             f"outputs), got weights of shape {layer.weights.shape}")
    return layers


def check_init_args(n_in, n_out, rng, dtype):
    """``init_weights``'s sizes, random generator and dtype."""
    n_in = check_int("n_in", n_in, low=1, high=MAX_LAYER_SIZE)
    n_out = check_int("n_out", n_out, low=1, high=MAX_LAYER_SIZE)
    return n_in, n_out, check_rng("rng", rng), check_dtype("dtype", dtype)


# --- Checks for the training loop and its records (dni_course.training)

def check_targets(net, x, y):
    """A training step's targets: one row per row of ``x``, one column per output of ``net``
    (a wrong shape would broadcast against the output without an error)."""
    width = net.layers[-1].weights.shape[1]
    if type(y) is np.ndarray and type(x) is np.ndarray and y.ndim == 2 and x.ndim == 2 and y.shape[1] == width \
            and y.dtype.kind == "f" and y.shape[0] == x.shape[0] and y.shape[0]:  # the usual case, fast
        return y
    x = check_batch("x", x, net.layers[0].weights.shape[0])
    y = check_batch("y", y, width)
    return check_rows("y", y, "x", x)


def check_split(history, split):
    """The records of one split of a run: ``"train"``, or ``"test"`` when it was given held-out data."""
    split = check_choice("split", split, ("train", "test"))
    rows = history.train if split == "train" else history.test
    if not rows:
        what = "held-out data: pass test= to train" if split == "test" else "epochs recorded"
        raise ValueError(f"split must name records this run has, got {split!r}: the run has no {what}")
    return rows


def check_metric(rows, metric):
    """A metric that the records hold, such as "loss" or "bit_accuracy"."""
    return check_choice("metric", metric, tuple(rows[0]))


def check_gens(gens, net):
    """A run's generators: a list with one generator per hidden layer of ``net``, of the right sizes."""
    if isinstance(gens, (str, bytes)) or not isinstance(gens, (list, tuple)):
        raise TypeError(f"gens must be a list of generators, one per hidden layer, got {_show(gens)}")
    hidden = [layer.weights.shape[1] for layer in net.layers[:-1]]
    if len(gens) != len(hidden):
        raise ValueError(f"gens must hold one generator per hidden layer of net (sizes {net.sizes}: "
                         f"{len(hidden)}), got {len(gens)}")
    for i, (gen, size) in enumerate(zip(gens, hidden)):
        if not (callable(getattr(gen, "predict", None)) and hasattr(gen, "weights")):
            raise TypeError(f"gens[{i}] must be a generator such as dni_course.SyntheticGradient, got {_show(gen)}")
        if gen.weights.shape[1] != size:
            raise ValueError(f"gens[{i}] must guess gradients for {size} units (hidden layer {i + 1}), "
                             f"got a generator for {gen.weights.shape[1]}")
    return gens


def check_net_data(net, data, data_classes, net_class):
    """``net`` fits ``data``: as many inputs as a row of ``data.x``, outputs as a row of ``data.y``."""
    check_instance("net", net, net_class, " (see dni_course.Network.create)")
    if not isinstance(data, data_classes):
        names = " or ".join(c.__name__ for c in data_classes)
        raise TypeError(f"data must be {names} (see dni_course.addition_data), got {_show(data)}")
    if (net.sizes[0], net.sizes[-1]) != (data.x.shape[1], data.y.shape[1]):
        what = f"{data.bits}-bit sums" if hasattr(data, "bits") else type(data).__name__
        raise ValueError(f"net and data must fit each other: data ({what}) needs {data.x.shape[1]} inputs and "
                         f"{data.y.shape[1]} outputs, but net has {net.sizes[0]} inputs and {net.sizes[-1]} outputs")


# --- Checks for figures and sliders (dni_course.plots, dni_course.widgets)

def check_figure(name, fig):
    """None (a new figure) or a matplotlib Figure to draw into."""
    from matplotlib.figure import Figure

    if fig is not None and not isinstance(fig, Figure):
        raise TypeError(f"{name} must be None or a matplotlib Figure, got {_show(fig)}")
    return fig


def check_text(name, value):
    """A string (a title, a label)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {_show(value)}")
    return value


def check_dpi(name, value):
    """Dots per inch of a picture: a number from 1 to 1000 (more would take minutes and gigabytes)."""
    value = check_positive(name, value)
    if not 1 <= value <= 1000:
        raise ValueError(f"{name} must be between 1 and 1000, got {value}")
    return value


def check_history(name, value):
    """One finished run, as returned by ``dni_course.train``."""
    from .training import History

    check_instance(name, value, History, " (returned by dni_course.train)")
    if not value.train:
        raise ValueError(f"{name} must be a run with at least one recorded epoch, got an empty History")
    return value


def check_histories(name, value):
    """A non-empty list of finished runs."""
    from .training import History

    if isinstance(value, History) or not isinstance(value, (list, tuple)) or not value:
        raise TypeError(f"{name} must be a list of runs returned by dni_course.train, e.g. [history], "
                        f"got {_show(value)}")
    for i, h in enumerate(value):
        check_history(f"{name}[{i}]", h)
    return list(value)


RECORD_KEYS = ("printed_error", "loss", "bit_accuracy", "max_weight")


def check_record(name, value):
    """What ``errata.printed_dni`` returns: a dict of equally long lists of numbers."""
    if not isinstance(value, dict) or any(k not in value for k in RECORD_KEYS):
        raise TypeError(f"{name} must be a record returned by dni_course.errata.printed_dni (a dict with "
                        f"{', '.join(RECORD_KEYS)}), got {_show(value)}")
    lengths = {len(check_array(f"{name}[{k!r}]", value[k], (None,), finite=False)) for k in RECORD_KEYS}
    if len(lengths) != 1:
        raise ValueError(f"{name} must hold lists of one length, got lengths {sorted(lengths)}")
    return value


def check_optional_int(name, value, low=None, high=None):
    """None, or a whole number in [low, high]."""
    return None if value is None else check_int(name, value, low=low, high=high)


def check_explorer_args(data, test, sizes, seed, alpha, show_gradients, stop_at, gen_alpha_slider=False,
                        methods=None):
    """The settings of ``widgets.training_explorer`` that it hands on to ``train`` later: checked
    up front, so that a bad one stops the cell instead of showing up as a status line."""
    from .data import AdditionData

    check_instance("data", data, AdditionData, " (see dni_course.addition_data)")
    if test is not None:
        check_instance("test", test, AdditionData, " (see dni_course.held_out_data)")
        if test.bits != data.bits:
            raise ValueError(f"test must hold sums of as many bits as data ({data.bits}), got {test.bits}-bit sums")
    sizes = check_sizes("sizes", sizes)
    if (sizes[0], sizes[-1]) != (2 * data.bits, data.bits):
        raise ValueError(f"sizes must start with {2 * data.bits} inputs and end with {data.bits} outputs for "
                         f"{data.bits}-bit sums, got {sizes}")
    make_rng(seed)
    check_positive("alpha", alpha)
    check_bool("show_gradients", show_gradients)
    check_bool("gen_alpha_slider", gen_alpha_slider)
    if stop_at is not None:
        check_fraction("stop_at", stop_at)
    if methods is not None and (isinstance(methods, (str, bytes)) or not isinstance(methods, (list, tuple))):
        raise TypeError(f"methods must be None or a list of method names such as ['backprop', 'dni'], "
                        f"got {_show(methods)}")
    return tuple(sizes)


def check_exercise_args(name, test, hint, solution, success):
    """An exercise's name, check function and texts (what an exercise's author writes)."""
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty string, got {_show(name)}")
    check_callable("test", test)
    for label, text in (("hint", hint), ("solution", solution), ("success", success)):
        check_text(label, text)


def check_output_target(output, target):
    """A network's outputs and the targets, as (examples, outputs) arrays of one shape: a wrong
    shape must not broadcast. Targets lie in [0, 1] (bits, or one-hot classes)."""
    output = check_array("output", output, (None, None))
    target = check_array("target", target, (None, None), low=0, high=1)
    return check_same_shape("output", output, "target", target), target


def check_digits(data, n_classes):
    """``DigitsData``'s fields: images ``x`` (n, pixels) in [0, 1] and whole-number ``labels`` (n,)
    from 0 to n_classes - 1 (set in place on the frozen dataclass, as arrays)."""
    x = check_array("x", data.x, (None, None), low=0, high=1)
    labels = check_rows("labels", check_array("labels", data.labels, (None,), low=0, high=n_classes - 1), "x", x)
    if labels.dtype.kind == "f":
        if not (labels == np.round(labels)).all():
            raise ValueError(f"labels must hold whole numbers (classes 0 to {n_classes - 1}), "
                             f"got {labels[labels != np.round(labels)][0]}")
        labels = labels.astype(np.int64)
    object.__setattr__(data, "x", x)
    object.__setattr__(data, "labels", labels)


def check_explorer(run, draw, describe, alt, alpha, batch_size, batch_sizes, alpha_range, dpi):
    """``widgets.Explorer``'s functions and the settings its sliders start from."""
    for name, function in (("run", run), ("draw", draw), ("describe", describe), ("alt", alt)):
        check_callable(name, function)
    if not (isinstance(alpha_range, (list, tuple)) and len(alpha_range) == 2):
        raise TypeError(f"alpha_range must be a pair (low, high) such as (1e-3, 10.0), got {_show(alpha_range)}")
    low, high = (check_positive("alpha_range", a) for a in alpha_range)
    if not low < high:
        raise ValueError(f"alpha_range must be a pair (low, high) with low below high, got {alpha_range!r}")
    alpha = check_positive("alpha", alpha)
    if not low <= alpha <= high:
        raise ValueError(f"alpha must lie in alpha_range, from {low} to {high}, got {alpha}")
    if isinstance(batch_sizes, (str, bytes)) or not isinstance(batch_sizes, (list, tuple)) or not batch_sizes:
        raise TypeError(f"batch_sizes must be a list of batch sizes such as [1, 10, 100], got {_show(batch_sizes)}")
    for b in batch_sizes:
        check_int("each of batch_sizes", b, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    if batch_size not in batch_sizes:
        raise ValueError(f"batch_size must be one of batch_sizes {list(batch_sizes)}, got {batch_size}")
    check_dpi("dpi", dpi)


def check_list(name, value, check_item):
    """A non-empty list (or tuple, or 1-D array) whose items each pass ``check_item(item_name, item)``."""
    if not isinstance(value, (list, tuple, np.ndarray)) or (isinstance(value, np.ndarray) and value.ndim != 1) \
            or len(value) == 0:
        raise TypeError(f"{name} must be a non-empty list, got {_show(value)}")
    return [check_item(f"each of {name}", item) for item in value]


def check_seeds(seeds, count):
    """One seed for all ``count`` runs, or a list of one seed per run (each an int >= 0 or a generator)."""
    if np.ndim(seeds) == 0:
        make_rng(seeds, "seeds")
        return [seeds] * count
    seeds = check_list("seeds", seeds, lambda name, s: (make_rng(s, name), s)[1])
    if len(seeds) != count:
        raise ValueError(f"seeds must be one seed or one per alpha ({count}), got {len(seeds)} seeds")
    return seeds


def check_gantt_args(timelines, labels):
    """``plots.gantt``'s timelines (from ``devices.simulate``) and one label (a string) for each."""
    def timeline(name, t):
        if not all(hasattr(t, a) for a in ("tasks", "n_devices", "finish", "busy")):
            raise TypeError(f"{name} must be a Timeline from dni_course.devices.simulate, got {_show(t)}")
        return t
    timelines = check_list("timelines", timelines, timeline)
    labels = check_list("labels", labels, check_text)
    if len(labels) != len(timelines):
        raise ValueError(f"labels must give one label per timeline ({len(timelines)}), got {len(labels)}")
    return timelines, labels


def check_heatmap_args(grids, alphas, batch_sizes):
    """``plots.heatmap``'s grids (a dict: method -> array of batch sizes x alphas, NaN allowed)."""
    alphas = check_list("alphas", alphas, check_positive)
    batch_sizes = check_list("batch_sizes", batch_sizes, lambda name, b: check_int(name, b, low=1))
    if not isinstance(grids, dict) or not grids:
        raise TypeError(f"grids must be a dict from method to a grid of epochs, such as "
                        f"{{'dni': array}}, got {_show(grids)}")
    for method, grid in grids.items():
        grid = check_array(f"grids[{method!r}]", grid, (None, None), finite=False)
        if grid.shape != (len(batch_sizes), len(alphas)):
            raise ValueError(f"grids[{method!r}] must have one row per batch size and one column per alpha: "
                             f"batch_sizes {batch_sizes} and alphas {alphas} make {(len(batch_sizes), len(alphas))}, "
                             f"got shape {grid.shape}")
    return grids, alphas, batch_sizes


def check_update_every(every, n_layers):
    """``update_every``: one whole number >= 1 per layer (how many batches apart it updates)."""
    if not isinstance(every, (list, tuple, np.ndarray)) or np.ndim(every) != 1:
        raise TypeError(f"update_every must be a list with one whole number per layer ({n_layers}), "
                        f"e.g. {tuple([1] * n_layers)}, got {_show(every)}")
    every = [check_int("each of update_every", k, low=1) for k in every]
    if len(every) != n_layers:
        raise ValueError(f"update_every must give one number per layer ({n_layers}), got {len(every)}: {every}")
    return every
