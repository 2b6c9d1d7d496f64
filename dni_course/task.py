"""A task: examples to learn from, and what they ask of a network (the interface of notebook 07).

Each kind of data the course trains on (``data.AdditionData``, ``digits.DigitsData``)
describes itself through :class:`Task`: its inputs and targets, the network it needs, how a
network's outputs on it are scored and which score is its headline. ``train``,
``gradient_alignment``, the explorers and the sweep ask the task, so a new kind of task
(a sequence task, say) is a new subclass, with no edit to them.
"""
import numpy as np

from .checks import _show, check_instance
from .layers import Network

KINDS = []  # the package's own kinds of task, in the order they are defined (for messages)


class Task:
    """What every kind of task has: ``x`` (examples, inputs), ``y`` (examples, outputs) and the
    attributes and methods below. A subclass sets ``x`` and ``y`` and defines :meth:`scores`."""

    name = "a task"  # in titles and messages, e.g. "8-bit addition"
    examples = "its examples"  # what the data hold, in a sentence: "8-bit sums need 16 inputs"
    inputs_are = ""  # what one input is, e.g. " (pixels)"
    outputs_are = ""  # what one output is, e.g. " (classes)"
    metric = "accuracy"  # the score (a key of scores()) that stop_at and History.epochs_to read
    where = ""  # the function that makes one, for messages, e.g. "dni_course.addition_data"
    network = {}  # options of Network.create beyond the sizes, e.g. {"output": "softmax"}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("dni_course."):
            KINDS.append(cls)

    def __len__(self):
        return len(self.x)

    @property
    def n_inputs(self):
        return self.x.shape[1]

    @property
    def n_outputs(self):
        return self.y.shape[1]

    def needs(self):
        """What a network for this task needs, as a sentence's end: "8-bit sums need 16 inputs and 8 outputs"."""
        return (f"{self.examples} need {self.n_inputs} inputs{self.inputs_are} and {self.n_outputs} "
                f"outputs{self.outputs_are}")

    def check_network(self, net):
        """Refuse a network whose input and output sizes do not fit this task."""
        if (net.sizes[0], net.sizes[-1]) != (self.n_inputs, self.n_outputs):
            raise ValueError(f"the network has {net.sizes[0]} inputs and {net.sizes[-1]} outputs, but "
                             f"{self.needs()}")
        return net

    def check_test(self, test):
        """Refuse held-out data of another kind (a subclass adds what else must match)."""
        if type(test) is not type(self):
            raise TypeError(f"test must be {type(self).__name__} like data, got {type(test).__name__}")
        return test

    def scores(self, output):
        """A dict of scores of ``output`` (one row per example), the headline ``metric`` among them."""
        raise NotImplementedError(f"{type(self).__name__} must define scores(output)")

    def headline(self, output):
        """The headline metric of outputs with any leading axes, e.g. (networks, examples, outputs)
        -> (networks,) (the sweep scores many networks at once). By default one at a time."""
        flat = output.reshape(-1, *output.shape[-2:])
        return np.array([self.scores(o)[self.metric] for o in flat]).reshape(output.shape[:-2])

    def evaluate(self, net):
        """:meth:`scores` of ``net``'s outputs on all of this task's examples (not checked: train's loop)."""
        return self.scores(net.predict(self.x))


def kinds(where=False, sigmoid_only=False):
    """The package's kinds of task for a message: "AdditionData or DigitsData" (``where``: each with
    the function that makes one; ``sigmoid_only``: only those trained with plain sigmoid networks)."""
    chosen = [k for k in KINDS if not (sigmoid_only and k.network)]
    return " or ".join(f"{k.__name__} (see {k.where})" if where else k.__name__ for k in chosen)


def check_task(name, value, sigmoid_only=False):
    """Refuse anything but a task (``sigmoid_only``: one trained with plain sigmoid networks, as
    the sweep's stacked step is), naming the package's kinds of task that would do."""
    if not isinstance(value, Task) or (sigmoid_only and value.network):
        raise TypeError(f"{name} must be {kinds(True, sigmoid_only)}, got {type(value).__name__}")
    return value


def check_net_data(net, data, kinds_allowed=None):
    """``net`` fits ``data``: as many inputs as a row of ``data.x``, outputs as a row of ``data.y``.
    ``kinds_allowed``: the kinds of task accepted (default: any)."""
    check_instance("net", net, Network, " (see dni_course.Network.create)")
    if not isinstance(data, kinds_allowed or Task):
        names = " or ".join(c.__name__ for c in (kinds_allowed or KINDS))
        raise TypeError(f"data must be {names} (see dni_course.addition_data), got {_show(data)}")
    if (net.sizes[0], net.sizes[-1]) != (data.n_inputs, data.n_outputs):
        raise ValueError(f"net and data must fit each other: data ({data.examples}) needs {data.n_inputs} inputs "
                         f"and {data.n_outputs} outputs, but net has {net.sizes[0]} inputs and {net.sizes[-1]} "
                         f"outputs")
