"""Exercises of notebook 06 (decoupling): DNI's pace and the delayed-target queue. Solutions are
"correct", stubs "not attempted", wrong answers "incorrect" with a message naming the mistake and
never the expected numbers; the queue's solution is what dc.train does with target_delay."""
import copy

import numpy as np
import pytest

import dni_course as dc
from dni_course.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from dni_course.exercises import decoupling as ex
from dni_course.training import DelayedTargets


def solution(exercise):
    namespace = {"np": np, "dc": dc}
    exec(exercise.solution_code(), namespace)
    return namespace[exercise.name]


def not_attempted(*args):
    raise NotImplementedError()


@pytest.mark.parametrize("exercise", [ex.dni_pace, ex.late_targets], ids=lambda e: e.name)
def test_solution_is_correct_and_stub_is_not_attempted(exercise):
    assert exercise.evaluate(solution(exercise)) == (CORRECT, "every check passed")
    assert exercise.evaluate(not_attempted)[0] == NOT_ATTEMPTED
    assert exercise.evaluate(lambda *args: None)[0] == NOT_ATTEMPTED
    assert exercise.evaluate(None)[0] == NOT_ATTEMPTED


@pytest.mark.parametrize("answer, words", [
    (lambda f, b, g: sum(f) + sum(b) + sum(g[:-1]), "do not add up"),
    (lambda f, b, g: max(x + y + z for x, y, z in zip(f, b, g)), "no generator"),
    (lambda f, b, g: np.mean([x + y for x, y in zip(f, b)]) + np.mean(g[:-1]), "slowest"),
    (lambda f, b, g: "3.25", "one number"),
])
def test_wrong_dni_pace_names_the_mistake(answer, words):
    outcome, message = ex.dni_pace.evaluate(answer)
    assert outcome == INCORRECT and words in message, message


def test_dni_pace_messages_do_not_print_the_expected_numbers():
    outcome, message = ex.dni_pace.evaluate(lambda f, b, g: 1.0)
    assert outcome == INCORRECT and "3.25" not in message


# The queue: answers with the usual mistakes, each written the way a student might.

def queue(gen, hs, labels, targets, delay, alpha, guess_again=True, guess_first=True, drain=False,
          newest_first=False):
    """The right queue, or one with a mistake switched on."""
    waiting, guesses = [], []
    for h, y, target in zip(hs, labels, targets):
        if guess_first:
            guesses.append(gen.predict(h, y))
        waiting.append((h, y, target))
        if len(waiting) > delay:
            old_h, old_y, old_target = waiting.pop(-1 if newest_first else 0)
            if guess_again:
                gen.predict(old_h, old_y)
            gen.learn(old_target, alpha)
        if not guess_first:
            guesses.append(gen.predict(h, y))
    for old_h, old_y, old_target in waiting if drain else ():
        gen.predict(old_h, old_y)
        gen.learn(old_target, alpha)
    return guesses


def by_index(gen, hs, labels, targets, delay, alpha):
    """No queue, an index instead: also right."""
    guesses = []
    for t in range(len(hs)):
        guesses.append(gen.predict(hs[t], labels[t]))
        if t >= delay:
            gen.predict(hs[t - delay], labels[t - delay])
            gen.learn(targets[t - delay], alpha)
    return np.array(guesses)


def test_right_answers_written_otherwise_are_correct():
    assert ex.late_targets.evaluate(queue)[0] == CORRECT
    assert ex.late_targets.evaluate(by_index)[0] == CORRECT


@pytest.mark.parametrize("answer, words", [
    (lambda gen, hs, labels, targets, delay, alpha: queue(gen, hs, labels, targets, 0, alpha), "on time"),
    (lambda gen, hs, labels, targets, delay, alpha: queue(gen, hs, labels, targets, delay + 1, alpha),
     "t - 4"),
    (lambda gen, hs, labels, targets, delay, alpha: queue(gen, hs, labels, targets, max(delay - 1, 0), alpha),
     "t - 2"),
    (lambda *args: queue(*args, guess_again=False), "guess on them again"),
    (lambda *args: queue(*args, guess_first=False), "guesses first"),
    (lambda *args: queue(*args, drain=True), "their turn has not come"),
    (lambda *args: queue(*args, newest_first=True), "your guesses differ"),
    (lambda gen, hs, labels, targets, delay, alpha: [gen.predict(h, y) for h, y in zip(hs, labels)],
     "did not learn"),
    (lambda gen, *args: queue(copy.deepcopy(gen), *args), "did not learn"),  # trains a copy, not gen
    (lambda *args: queue(*args)[:-1], "one guess per batch"),
    (lambda *args: [g[:, :2] for g in queue(*args)], "shape"),
    (lambda *args: 7, "list of guesses"),
])
def test_wrong_late_targets_names_the_mistake(answer, words):
    outcome, message = ex.late_targets.evaluate(answer)
    assert outcome == INCORRECT and words in message, message


def test_late_targets_must_leave_the_stream_unchanged():
    def in_place(gen, hs, labels, targets, delay, alpha):
        guesses = queue(gen, hs, labels, targets, delay, alpha)
        targets *= 0
        return guesses

    outcome, message = ex.late_targets.evaluate(in_place)
    assert outcome == INCORRECT and "targets is not as it was passed in" in message, message


def test_the_queue_solution_is_what_dc_train_does_with_late_targets(monkeypatch):
    # Record what generator 1 of a cDNI run with targets 3 batches late receives, then replay that
    # stream through the exercise's solution on a fresh generator: the same weights at the end.
    task = dc.addition_data(bits=8, n_examples=100, seed=0)
    received = []
    learn = DelayedTargets.learn

    def recording(self, h, labels, target, alpha):
        if not received or self.generator is received[0][0]:
            received.append((self.generator, h.copy(), labels.copy(), target.copy(), alpha))
        learn(self, h, labels, target, alpha)

    monkeypatch.setattr(DelayedTargets, "learn", recording)
    history = dc.train(dc.Network.create((16, 64, 32, 8), seed=0), task, method="cdni", alpha=1.0,
                       epochs=2, target_delay=3)
    assert len(received) == 20  # one target per batch, 2 epochs of 10
    _, hs, labels, targets, alphas = zip(*received)
    fresh = dc.SyntheticGradient(64, 8)
    guesses = solution(ex.late_targets)(fresh, np.array(hs), np.array(labels), np.array(targets), 3, alphas[0])
    assert len(guesses) == 20 and not np.any(guesses[0]) and np.any(guesses[-1])  # starts at zero, then learns
    for mine, theirs in zip(fresh.parameters(), history.generators[0].parameters()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-7)
