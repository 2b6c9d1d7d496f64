"""Layers as devices: a timeline of who works when, driven by a real training run (notebook 06).

Each layer runs on its own simulated device. A device does one task at a time, in a fixed
order, and a task starts when its device is free and the data it needs has arrived from
another device (sending is taken as instant). A task's duration comes from a cost model:
per layer, the time of a forward pass, a backward pass (with its weight update) and the
synthetic-gradient generator (half to guess, half to learn), for a batch of ``unit``
examples; a batch of n examples takes n / unit times as long.

What the tasks are, and what each waits for:

- backprop: forward up through every layer, backward down, then the next batch; a layer
  cannot start the next batch before its own update (update locking). With
  ``micro_batches`` > 1 each batch is split into micro-batches that flow through the
  layers one behind the other (pipelined backprop, as GPipe does), and every layer updates
  once when all of them are back.
- DNI and cDNI: a layer goes forward, guesses its gradient, goes backward and updates, and
  is free for the next batch. Its generator learns from the gradient the layer above sends
  back, which arrives later: with ``target_delay`` k it learns on batch t from batch t - k
  (as ``dc.train(..., target_delay=k)`` does); with k = 0 the layer waits for it. With
  ``update_every`` a layer goes backward only on every k-th batch, as ``dc.train`` does.
"""
import inspect
from dataclasses import dataclass, field

import numpy as np

from .checks import check_choice, check_instance, check_int, check_list, check_positive, check_text
from .history import check_history
from .layers import MAX_LAYERS, Network
from .task import check_task
from .training import DELAY_WHY, MAX_TARGET_DELAY, batches, check_update_every, train
from .plots import delay_curves, explorer_frame, metric_text
from .widgets import CSS, Answering

SCHEDULES = ("backprop", "dni", "cdni")
KINDS = ("forward", "backward", "guess", "learn")


@dataclass(frozen=True)
class Costs:
    """Time units one layer's device spends on a batch of ``unit`` examples."""

    forward: float = 1.0
    backward: float = 2.0
    generator: float = 0.25  # guess and learn together, half each

    def __post_init__(self):
        for name in ("forward", "backward", "generator"):
            check_positive(name, getattr(self, name))


def layer_costs(n_layers, forward=1.0, backward=2.0, generator=0.25, slow=None, factor=2.0):
    """One :class:`Costs` per layer, all equal, except layer ``slow`` (counted from 1) ``factor`` times slower."""
    n_layers = check_int("n_layers", n_layers, low=1, high=MAX_LAYERS,
                         why="That is the most layers a dni_course.Network may have (one device each)")
    base = Costs(forward, backward, generator)
    costs = [base] * n_layers
    if slow is not None:
        slow = check_int("slow", slow, low=1, high=n_layers)
        factor = check_positive("factor", factor)
        costs[slow - 1] = Costs(forward * factor, backward * factor, generator * factor)
    return costs


@dataclass
class Task:
    device: int  # layer index, from 0
    kind: str  # one of KINDS
    batch: int  # the batch (update) it belongs to, from 0
    start: float
    end: float


@dataclass
class Timeline:
    """Every task of a run on every device, with the measures the notebook prints."""

    schedule: str
    n_devices: int
    tasks: list = field(default_factory=list)
    batch_end: list = field(default_factory=list)  # when each batch's last update was done

    @property
    def finish(self):
        return max(t.end for t in self.tasks)

    def busy(self):
        """Fraction of the run each device spends working."""
        total = np.zeros(self.n_devices)
        for t in self.tasks:
            total[t.device] += t.end - t.start
        return total / self.finish

    def idle(self):
        """Time units each device spends waiting."""
        return self.finish * (1.0 - self.busy())

    def first(self, n_batches):
        """The tasks of the first ``n_batches`` batches only (what a Gantt chart can show)."""
        n_batches = check_int("n_batches", n_batches, low=1)
        return [t for t in self.tasks if t.batch < n_batches]


def simulate(schedule, batch_sizes, costs, micro_batches=1, target_delay=1, unit=10, update_every=None):
    """The :class:`Timeline` of training on a list of batch sizes, one device per layer.

    ``schedule`` is ``"backprop"`` (pipelined when ``micro_batches`` > 1), ``"dni"`` or
    ``"cdni"`` (the same timeline: the labels cost the generator nothing extra here).
    ``costs`` has one :class:`Costs` per layer. ``update_every`` (DNI and cDNI) has one whole
    number per layer: layer i goes backward on every ``update_every[i]``-th batch only.
    """
    schedule = check_choice("schedule", schedule, SCHEDULES)
    micro_batches = check_int("micro_batches", micro_batches, low=1)
    target_delay = check_int("target_delay", target_delay, low=0)
    unit = check_positive("unit", unit)
    costs = check_list("costs", costs, lambda name, c: check_instance(name, c, Costs))
    if not costs or not all(isinstance(c, Costs) for c in costs):
        raise TypeError("costs must be a non-empty list of dni_course.devices.Costs, one per layer")
    if schedule != "backprop" and micro_batches != 1:
        raise ValueError(f"micro_batches={micro_batches} is for schedule 'backprop' (pipelining without DNI); "
                         f"with {schedule!r} leave it at 1")
    if update_every is not None:
        if schedule == "backprop":
            raise ValueError("update_every is for schedules 'dni' and 'cdni'; in backprop every layer "
                             "updates on every batch, so leave it at None")
        update_every = check_update_every(update_every, len(costs))
    sizes = check_list("batch_sizes", batch_sizes, lambda name, n: check_int(name, n, low=1))
    check_micro_batches(micro_batches, max(sizes), "the largest of batch_sizes")
    queues = _backprop_tasks(sizes, costs, micro_batches) if schedule == "backprop" \
        else _synthetic_tasks(sizes, costs, target_delay, update_every or [1] * len(costs))
    return _run(schedule, queues, len(sizes), unit)


def _backprop_tasks(sizes, costs, micro_batches):
    """Per device, in order: forward of each micro-batch, then backward of each, last one first.

    A task is (name, kind, batch, duration, names it waits for); names are (kind, device, batch, micro).
    """
    top = len(costs) - 1
    queues = [[] for _ in costs]
    for b, n in enumerate(sizes):
        parts = [len(p) for p in np.array_split(np.arange(n), micro_batches) if len(p)]
        for d, c in enumerate(costs):
            for m, size in enumerate(parts):
                needs = [("forward", d - 1, b, m)] if d > 0 else []
                queues[d].append((("forward", d, b, m), "forward", b, c.forward * size, needs))
            for m in reversed(range(len(parts))):
                needs = [("backward", d + 1, b, m)] if d < top else []
                queues[d].append((("backward", d, b, m), "backward", b, c.backward * parts[m], needs))
    return queues


def _synthetic_tasks(sizes, costs, target_delay, update_every):
    """Per device and batch: forward, guess, backward (and update) on the batches it updates
    on, then the generator learns from a target the layer above sent when it went backward:
    when a new one arrives, the one ``target_delay`` targets older (with every layer updating
    on every batch, that is the target of batch t - target_delay)."""
    top = len(costs) - 1
    queues = [[] for _ in costs]
    sent = [[] for _ in costs]  # per device, the batches whose target the layer above sent down
    for b, n in enumerate(sizes):
        for d, c in enumerate(costs):
            needs = [("forward", d - 1, b, 0)] if d > 0 else []
            queues[d].append((("forward", d, b, 0), "forward", b, c.forward * n, needs))
            if d < top:  # the output layer has the true gradient, no generator
                queues[d].append((("guess", d, b, 0), "guess", b, c.generator / 2 * n, []))
            if b % update_every[d] == 0:
                queues[d].append((("backward", d, b, 0), "backward", b, c.backward * n, []))
            if d < top and b % update_every[d + 1] == 0:
                sent[d].append(b)
                if len(sent[d]) > target_delay:
                    late = sent[d][-1 - target_delay]
                    queues[d].append((("learn", d, late, 0), "learn", late, c.generator / 2 * sizes[late],
                                      [("backward", d + 1, late, 0)]))
    return queues


def _run(schedule, queues, n_batches, unit):
    """Start every task as early as its device and its inputs allow, in each device's order."""
    done = {}  # name -> end time
    clock = [0.0] * len(queues)
    position = [0] * len(queues)
    timeline = Timeline(schedule, len(queues))
    remaining = sum(len(q) for q in queues)
    while remaining:
        progressed = False
        for d, queue in enumerate(queues):
            while position[d] < len(queue):
                name, kind, batch, duration, needs = queue[position[d]]
                if any(n not in done for n in needs):
                    break
                start = max([clock[d]] + [done[n] for n in needs])
                end = start + duration / unit
                if not (np.isfinite(end) and end > start):  # an overflow (inf), or a step lost to rounding
                    raise ValueError(
                        f"unit={unit} with these costs makes the timeline meaningless: a {kind} task takes "
                        f"cost * examples / unit = {duration} / {unit} = {duration / unit} time units and "
                        f"would end at {end}. unit must keep every task's time, and the run's total time, "
                        f"finite and above 0 in floating point (the default unit=10 does, with costs near 1)")
                done[name] = clock[d] = end
                timeline.tasks.append(Task(d, kind, batch, start, end))
                position[d] += 1
                remaining -= 1
                progressed = True
        if not progressed:
            raise RuntimeError("the schedule is stuck: a task waits for one that never runs")
    ends = np.zeros(n_batches)
    for t in timeline.tasks:
        if t.kind in ("forward", "backward"):
            ends[t.batch] = max(ends[t.batch], t.end)
    timeline.batch_end = list(ends)
    return timeline


def run_batch_sizes(history, n_examples):
    """The batch sizes a finished ``dc.train`` run went through, in order (the same slices it used)."""
    history, n_examples = check_history("history", history), check_int("n_examples", n_examples, low=1)
    per_epoch = [s.stop - s.start for s in batches(n_examples, history.batch_size)]
    return per_epoch * len(history.epochs)


@dataclass
class DeviceRun:
    """A real training run and the timeline of the same run on one device per layer."""

    history: object
    timeline: Timeline
    label: str
    costs: list
    n_examples: int
    micro_batches: int = 1
    target_delay: int = 0
    update_every: list = None

    def head(self, n_examples=80):
        """The timeline of the run's first batches only, up to ``n_examples`` examples (for a Gantt chart)."""
        n_examples = check_int("n_examples", n_examples, low=1)
        sizes, seen = [], 0
        for n in run_batch_sizes(self.history, self.n_examples):
            if seen >= n_examples:
                break
            sizes.append(n)
            seen += n
        return simulate(self.timeline.schedule, sizes, self.costs, self.micro_batches, self.target_delay,
                        update_every=self.update_every)

    def on(self, costs, label=None):
        """The same training run timed on other devices (``costs``: one :class:`Costs` per layer)."""
        if label is not None:
            check_text("label", label)
        timeline = simulate(self.timeline.schedule, run_batch_sizes(self.history, self.n_examples), costs,
                            self.micro_batches, self.target_delay, update_every=self.update_every)
        return DeviceRun(self.history, timeline, label or self.label, list(costs), self.n_examples,
                         self.micro_batches, self.target_delay, self.update_every)

    def time_to(self, accuracy=0.99):
        """Device time at the end of the first epoch whose training bit accuracy reached ``accuracy``, or None."""
        epoch = self.history.epochs_to(accuracy)
        if epoch is None:
            return None
        per_epoch = len(self.timeline.batch_end) // len(self.history.epochs)
        return self.timeline.batch_end[epoch * per_epoch - 1]


def device_run(data, method="backprop", micro_batches=1, sizes=(16, 64, 32, 8), seed=0, costs=None,
               target_delay=None, label=None, update_every=None, **train_options):
    """Train a fresh network with ``dc.train`` and time the very same run on one device per layer.

    For pipelined backprop (``micro_batches`` > 1) ``batch_size`` is the size of a whole
    update; it is split into that many micro-batches. ``target_delay`` (DNI and cDNI; default 1,
    the first delay that lets a layer move on without waiting for the layer above) is used
    by both the training and the timeline, and so is ``update_every`` (DNI and cDNI: one
    whole number per layer, how many batches apart it updates). Other options go to ``dc.train``.
    """
    check_task("data", data)
    method = check_choice("method", method, SCHEDULES)
    if label is not None:
        check_text("label", label)
    micro_batches = check_int("micro_batches", micro_batches, low=1)
    batch_size = train_options.get("batch_size", inspect.signature(train).parameters["batch_size"].default)
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and 1 <= batch_size <= len(data):
        check_micro_batches(micro_batches, batch_size, "batch_size")  # before training, not after it
    if method == "backprop":
        if target_delay not in (None, 0):
            raise ValueError(f"target_delay={target_delay!r} needs method 'dni' or 'cdni'; backprop has no generators")
        delay, extra = 0, {}
    else:
        delay = 1 if target_delay is None else check_int("target_delay", target_delay, low=0)
        extra = {"target_delay": delay, "update_every": update_every}
    net = Network.create(sizes, seed=seed, **data.network)
    history = train(net, data, method=method, **extra, **train_options)
    costs = layer_costs(len(net.layers)) if costs is None else \
        check_list("costs", costs, lambda name, c: check_instance(name, c, Costs))
    if len(costs) != len(net.layers):
        raise ValueError(f"costs has {len(costs)} entries but must have one per layer of the network ({len(net.layers)})")
    timeline = simulate(method, run_batch_sizes(history, len(data)), costs, micro_batches=micro_batches,
                        target_delay=delay, update_every=update_every)
    if label is None:
        label = f"pipelined backprop ({micro_batches} micro-batches)" if micro_batches > 1 else \
            {"backprop": "backprop", "dni": "DNI", "cdni": "cDNI"}[method]
    return DeviceRun(history, timeline, label, costs, len(data), micro_batches, delay, update_every)


class DelayExplorer(Answering):
    """A slider for how many batches late the generators' targets arrive; it retrains and redraws
    (notebook 06). Acts on release; while it trains, the old figure is dimmed and the progress
    bar moves, as in the other explorers; a run that diverges shows a message instead of a figure."""

    def __init__(self, data, delay=10, max_delay=100, method="cdni", alpha=1.0, batch_size=10, epochs=400, seed=0):
        import ipywidgets as widgets

        self.options = dict(data=check_task("data", data), method=check_choice("method", method, ("dni", "cdni")), alpha=alpha,
                            batch_size=batch_size, epochs=check_int("epochs", epochs, low=1), seed=seed)
        max_delay = check_int("max_delay", max_delay, low=1, high=MAX_TARGET_DELAY, why=DELAY_WHY)
        delay = check_int("delay", delay, low=0, high=max_delay)
        self.reference = self._train(0)
        self.slider = widgets.IntSlider(value=delay, min=0, max=max_delay,
                                        description="target delay (batches)", continuous_update=False,
                                        style={"description_width": "initial"}, layout=widgets.Layout(width="420px"))
        # plots.delay_curves' one panel, with fixed margins (room for its 11-point labels)
        self._build_display((8, 3.2), 80, dict(left=0.1, right=0.98, bottom=0.17, top=0.89))
        self.widget = widgets.VBox([widgets.HTML(CSS, layout=widgets.Layout(height="0px")), self.slider,
                                    self.progress, self.status, self.picture])
        self.widget.add_class("dni-explorer")
        self.slider.observe(lambda change: self.update(), names="value")
        self.run = None
        self.update()

    def _train(self, delay, on_epoch=None):
        o = self.options
        data = o["data"]  # hidden layers of 64 and 32 units, as everywhere in notebook 06
        net = Network.create((data.n_inputs, 64, 32, data.n_outputs), seed=o["seed"], **data.network)
        history = train(net, data, method=o["method"], alpha=o["alpha"], batch_size=o["batch_size"],
                        epochs=o["epochs"], stop_at=0.99, target_delay=delay, on_epoch=on_epoch)
        history.target_delay = delay
        return history

    def _describe(self, run):
        on_time, late = self.reference.epochs_to(0.99), run.epochs_to(0.99)
        delay = run.target_delay
        said = (f"targets {delay} batches late: 99% at epoch {late}" if late else
                f"targets {delay} batches late: {run.final()[run.metric]:.0%} after {run.epochs[-1]} epochs")
        return f"{said} (on time: {on_time or 'not reached'})"

    def update(self):
        """Retrain with the slider's delay and redraw; on failure say why in the status line."""
        delay, epochs = self.slider.value, self.options["epochs"]
        step = max(1, epochs // 20)

        def run(progress):
            def on_epoch(epoch, history):
                if epoch % step == 0:
                    progress(epoch, epochs)
            return self._train(delay, on_epoch)

        def draw(run, fig):
            delay_curves(self.reference, run, fig=fig)
            explorer_frame(fig, epochs)  # the epochs asked for, also when a run reached 99% sooner

        def alt(run):
            return f"Training {metric_text(run)['words']} per epoch, {self._describe(run)}"

        self.run = None
        self.run = self._answer(f"Training with targets {delay} batches late\u2026", run, draw, self._describe, alt)

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Delay explorer: a slider for the generators' target delay (run the notebook to use it)"
        return bundle


# --- Argument checks of the simulation

def check_micro_batches(micro_batches, batch_size, what):
    """``micro_batches`` (already a whole number >= 1) must leave each micro-batch at least one example."""
    return check_int("micro_batches", micro_batches, low=1, high=batch_size,
                     why=f"Each micro-batch holds at least one example, and {what} is {batch_size}")
