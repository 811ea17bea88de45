"""Chapter 12's exercise checks: a right answer passes, typical wrong ones get the hint."""
import numpy as np
import pytest
import torch

import hjlib
from hjlib.exercises import ExerciseError
from hjlib.recurrent import heat_transition, lstm_cell_lse


def test_lstm_cell_right_answer_passes():
    assert hjlib.exercises.check("ch12-lstm-cell", lstm_cell_lse)


def _wrong_order(x, h, c, Wih, Whh, bih, bhh):
    z = x @ Wih.T + bih + h @ Whh.T + bhh
    zi, zf, zo, zg = z.chunk(4, dim=-1)              # i, f, o, g: a common mix-up
    c2 = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
    return torch.sigmoid(zo) * torch.tanh(c2), c2


def _sigmoid_candidate(x, h, c, Wih, Whh, bih, bhh):
    z = x @ Wih.T + bih + h @ Whh.T + bhh
    zi, zf, zg, zo = z.chunk(4, dim=-1)
    c2 = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.sigmoid(zg)
    return torch.sigmoid(zo) * torch.tanh(c2), c2


@pytest.mark.parametrize("wrong, words", [
    (_wrong_order, "order (i, f, o, g)"),
    (_sigmoid_candidate, "not a sigmoid gate"),
    (lambda *a: lstm_cell_lse(*a)[::-1], "You returned (c_new, h_new)"),
])
def test_lstm_cell_wrong_answers_get_hints(wrong, words):
    with pytest.raises(ExerciseError, match=r".*" + words.replace("(", r"\(").replace(")", r"\)")):
        hjlib.exercises.check("ch12-lstm-cell", wrong)


def test_lstm_stub_propagates_not_implemented():
    def stub(*a):
        raise NotImplementedError("fill in")
    with pytest.raises(NotImplementedError):
        hjlib.exercises.check("ch12-lstm-cell", stub)


def test_heat_transition_right_answer_passes():
    assert hjlib.exercises.check("ch12-heat-transition", heat_transition)


def _no_wrap(n, length, eps, dt):
    dx = length / n
    L = (-2 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)) / dx**2
    return np.eye(n) + dt * eps * L


def _no_eps(n, length, eps, dt):
    return heat_transition(n, length, 1.0, dt)


@pytest.mark.parametrize("wrong, words", [(_no_wrap, "corners are missing"), (_no_eps, "ε is missing")])
def test_heat_transition_wrong_answers_get_hints(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        hjlib.exercises.check("ch12-heat-transition", wrong)
