"""The simulated devices of notebook 06: hand-computed timelines, the slowest layer, the real run."""
import numpy as np
import pytest

import dni_course as dc
from dni_course import devices as dv


def test_backprop_on_four_equal_layers_by_hand():
    # Per batch: 4 forwards (1 each) up, then 4 backwards (2 each) down, one device at a time:
    # 12 units per batch, every device working 3 of them.
    t = dv.simulate("backprop", [10] * 8, dv.layer_costs(4))
    assert t.finish == pytest.approx(96.0)
    assert t.busy() == pytest.approx([0.25] * 4)
    assert t.idle() == pytest.approx([72.0] * 4)
    assert t.batch_end == pytest.approx([12.0 * (b + 1) for b in range(8)])


def test_pipelined_backprop_by_hand():
    # GPipe with 4 micro-batches on 4 layers: (4 + 4 - 1) forward slots of 1, the same number
    # of backward slots of 2, per update: 21 units; two updates of 40 examples: 42.
    t = dv.simulate("backprop", [40, 40], dv.layer_costs(4), micro_batches=4)
    assert t.finish == pytest.approx(42.0)
    assert t.busy() == pytest.approx([24 / 42] * 4)


def test_dni_keeps_every_device_busy():
    # Layers 1-3 each need 3.25 units per batch (forward 1, guess 0.125, backward 2, learn 0.125);
    # the output layer 3. Layer k starts k-1 units late, so the last batch leaves layer 4 at
    # 3 + 7 * 3.25 + 3 minus the learn step batch 1 does not have (no target yet): 28.625.
    t = dv.simulate("dni", [10] * 8, dv.layer_costs(4), target_delay=1)
    assert t.finish == pytest.approx(28.625)
    assert t.busy()[:3] == pytest.approx([(8 * 3.25 - 0.125) / 28.625] * 3)
    assert 0.85 < t.busy().mean() < 0.92
    # The generator of layer 1 learns on batch t from batch t-1: one learn fewer than batches.
    assert sum(1 for task in t.tasks if task.kind == "learn" and task.device == 0) == 7


def test_a_layer_waiting_for_its_generator_target_loses_part_of_the_gain():
    wait = dv.simulate("dni", [10] * 50, dv.layer_costs(4), target_delay=0).finish
    late = dv.simulate("dni", [10] * 50, dv.layer_costs(4), target_delay=1).finish
    backprop = dv.simulate("backprop", [10] * 50, dv.layer_costs(4)).finish
    assert late < wait < backprop


def test_the_slowest_layer_sets_the_pace():
    # In the long run DNI finishes a batch every (slowest layer's work) units.
    for slow, factor in ((None, 1.0), (2, 2.0), (3, 3.0)):
        costs = dv.layer_costs(4, slow=slow, factor=factor)
        a = dv.simulate("dni", [10] * 200, costs, target_delay=1).batch_end
        b = dv.simulate("dni", [10] * 400, costs, target_delay=1).batch_end
        pace = (b[-1] - a[-1]) / 200
        assert pace == pytest.approx(3.25 * factor, rel=1e-3)
    # A layer twice as slow cuts DNI's gain over backprop from 3.69x to about 2.3x.
    even = [dv.simulate(s, [10] * 1000, dv.layer_costs(4)).finish for s in ("backprop", "dni")]
    uneven = [dv.simulate(s, [10] * 1000, dv.layer_costs(4, slow=2)).finish for s in ("backprop", "dni")]
    assert even[0] / even[1] == pytest.approx(3.69, abs=0.01)
    assert uneven[0] / uneven[1] == pytest.approx(2.31, abs=0.01)


def test_update_every_leaves_out_the_skipped_backward_passes_and_their_targets():
    every = dv.simulate("dni", [10] * 12, dv.layer_costs(3), target_delay=1)
    assert every.tasks == dv.simulate("dni", [10] * 12, dv.layer_costs(3), target_delay=1,
                                      update_every=[1, 1, 1]).tasks
    t = dv.simulate("dni", [10] * 12, dv.layer_costs(3), target_delay=1, update_every=(1, 3, 1))
    backward = {d: [task.batch for task in t.tasks if task.kind == "backward" and task.device == d]
                for d in range(3)}
    assert backward == {0: list(range(12)), 1: [0, 3, 6, 9], 2: list(range(12))}
    # Generator 1 learns from what layer 2 sends down: one target late, the one before the newest.
    learned = [task.batch for task in t.tasks if task.kind == "learn" and task.device == 0]
    assert learned == [0, 3, 6]
    assert [task.batch for task in t.tasks if task.kind == "learn" and task.device == 1] == list(range(11))


def test_a_slow_layer_that_updates_less_often_no_longer_sets_the_whole_pace():
    # Layer 2 twice as slow: 6.5 units per batch when it updates on every batch. On every third
    # its own work is forward 2 + guess 0.25 + learn 0.25 + backward 4 / 3 = 3.83 units per
    # batch; the pace cannot beat that, and it comes close (a little waiting for layer 3's
    # targets remains on the batches without a backward pass).
    costs = dv.layer_costs(3, slow=2, factor=2.0)

    def pace(every):
        a = dv.simulate("dni", [10] * 300, costs, target_delay=1, update_every=every).batch_end
        b = dv.simulate("dni", [10] * 600, costs, target_delay=1, update_every=every).batch_end
        return (b[-1] - a[-1]) / 300

    assert pace(None) == pytest.approx(6.5, rel=1e-3)
    assert 2 + 0.25 + 0.25 + 4 / 3 - 1e-9 <= pace((1, 3, 1)) < 4.0


def test_a_device_never_does_two_things_at_once_and_never_starts_before_its_input():
    t = dv.simulate("dni", [10, 7, 10, 3], dv.layer_costs(3, slow=1), target_delay=2)
    for d in range(t.n_devices):
        tasks = sorted((task for task in t.tasks if task.device == d), key=lambda task: task.start)
        for a, b in zip(tasks, tasks[1:]):
            assert b.start >= a.end - 1e-12
    ends = {(task.kind, task.device, task.batch): task.end for task in t.tasks}
    for task in t.tasks:
        if task.kind == "forward" and task.device > 0:
            assert task.start >= ends[("forward", task.device - 1, task.batch)] - 1e-12
    # A smaller batch takes proportionally less time.
    forwards = {task.batch: task.end - task.start for task in t.tasks if task.kind == "forward" and task.device == 0}
    assert forwards[1] == pytest.approx(0.7 * forwards[0]) and forwards[3] == pytest.approx(0.3 * forwards[0])


def test_device_run_times_the_same_run_it_trained(task):
    train, _ = task
    run = dv.device_run(train, "cdni", alpha=1.0, batch_size=10, epochs=400, stop_at=0.99)
    epochs = run.history.epochs_to(0.99)
    assert epochs is not None and len(run.history.epochs) == epochs  # stopped there
    assert len(run.timeline.batch_end) == 10 * epochs
    assert run.time_to(0.99) == pytest.approx(run.timeline.finish)
    # the same training as dc.train with the same target delay
    again = dc.train(dc.Network.create((16, 64, 32, 8), seed=0), train, method="cdni", alpha=1.0, batch_size=10,
                     epochs=400, stop_at=0.99, target_delay=1)
    assert again.epochs_to(0.99) == epochs
    # and pipelined backprop: batches of 40, 40, 20 split into 4 micro-batches each
    pipe = dv.device_run(train, "backprop", micro_batches=4, alpha=1.0, batch_size=40, epochs=3)
    assert len(pipe.timeline.batch_end) == 9
    head = pipe.head(80)
    assert len(head.batch_end) == 2 and sum(1 for t in head.tasks if t.kind == "forward") == 2 * 4 * 3


def test_bad_input_is_refused_with_a_clear_message(task):
    train, _ = task
    with pytest.raises(ValueError, match="schedule"):
        dv.simulate("pipeline", [10], dv.layer_costs(3))
    with pytest.raises(ValueError, match="micro_batches"):
        dv.simulate("dni", [10], dv.layer_costs(3), micro_batches=2)
    with pytest.raises(TypeError, match="Costs"):
        dv.simulate("dni", [10], [1.0, 2.0])
    with pytest.raises(ValueError, match="forward"):
        dv.Costs(forward=0)
    with pytest.raises(ValueError, match="slow"):
        dv.layer_costs(3, slow=4)
    with pytest.raises(ValueError, match="target_delay"):
        dv.device_run(train, "backprop", target_delay=2, epochs=1)
    with pytest.raises(ValueError, match="update_every is for schedules"):
        dv.simulate("backprop", [10], dv.layer_costs(3), update_every=(1, 2, 1))
    with pytest.raises(ValueError, match="one number per layer"):
        dv.simulate("dni", [10], dv.layer_costs(3), update_every=(1, 2))
    with pytest.raises(ValueError, match="costs has 2"):
        dv.device_run(train, "dni", costs=dv.layer_costs(2), epochs=1)
