"""Checks of chapter 5's exercises: right answers pass, typical wrong ones get the hint."""
from __future__ import annotations

import re

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_params(y, g, t):
    return y / (2 * t), -g - (y**2).sum(-1) / (4 * t)


def good_data(W, b, t):
    return 2 * t * W, -b - t * (W**2).sum(-1)


def test_registered():
    assert {"ch05-lse-params", "ch05-abs-data"} <= set(exercises.available())


def test_lse_params_correct(capsys):
    assert exercises.check("ch05-lse-params", (good_params, good_data))
    assert "✓ ch05-lse-params" in capsys.readouterr().out


@pytest.mark.parametrize("bad, hint", [
    (lambda y, g, t: (y / t, -g - (y**2).sum(-1) / (4 * t)), "cross term"),
    (lambda y, g, t: (y / (2 * t), g + (y**2).sum(-1) / (4 * t)), "sign is wrong"),
    (lambda y, g, t: (y / (2 * t), -g - (y**2).sum(-1) / (2 * t)), re.escape("not |y|²/(2t)")),
    (lambda y, g, t: (y / (2 * t), -g - (y**2).sum() / (4 * t)), "per-atom sum"),
    (lambda y, g, t: (y / (2 * t), -g), "Completing the square"),
])
def test_lse_params_hints(bad, hint):
    with pytest.raises(ExerciseError, match=hint):
        exercises.check("ch05-lse-params", (bad, good_data))


def test_initial_data_hint():
    bad = lambda W, b, t: (2 * t * W, -b - (W**2).sum(-1) / (4 * t))  # noqa: E731
    with pytest.raises(ExerciseError, match=re.escape("−b − t|W|², not")):
        exercises.check("ch05-lse-params", (good_params, bad))


def test_lse_params_rejects_non_pair():
    with pytest.raises(ExerciseError, match="pair of functions"):
        exercises.check("ch05-lse-params", good_params)


def test_stub_propagates():
    def stub(y, g, t):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        exercises.check("ch05-lse-params", (stub, good_data))


def good_abs(t):
    return np.array([2 * t, -2 * t]), np.array([-t, -t])


def test_abs_correct_and_extra_atom_allowed():
    assert exercises.check("ch05-abs-data", good_abs)
    with_zero = lambda t: (np.array([2 * t, 0.0, -2 * t]), np.array([-t, 0.0, -t]))  # noqa: E731
    assert exercises.check("ch05-abs-data", with_zero)


@pytest.mark.parametrize("bad, hint", [
    (lambda t: (np.array([0.0, 2 * t]), np.array([0.0, -t])), "ReLU"),
    (lambda t: (np.array([4 * t, -4 * t]), np.array([-4 * t, -4 * t])), "±2"),
    (lambda t: (np.array([t, -t]), np.array([-t / 4, -t / 4])), "too small"),
    (lambda t: (np.array([2 * t, -2 * t]), np.array([0.0, 0.0])), "shifted by"),
])
def test_abs_hints(bad, hint):
    with pytest.raises(ExerciseError, match=hint):
        exercises.check("ch05-abs-data", bad)


def test_abs_shape_error():
    with pytest.raises(ExerciseError, match="1-D arrays"):
        exercises.check("ch05-abs-data", lambda t: (np.zeros((2, 2)), np.zeros(2)))
