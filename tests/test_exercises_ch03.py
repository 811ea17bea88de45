"""Exercise checks of chapter 3 (tropical algebra): right answers pass, usual mistakes get the hint."""
from __future__ import annotations

import math

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_maslov_add(a, b, eps):
    if eps == 0:
        return max(a, b)
    m = max(a, b)
    return m + eps * math.log1p(math.exp(-abs(a - b) / eps))


def test_registered():
    assert {"ch03-maslov-add", "ch03-relu-tropical"} <= set(exercises.available())


def test_maslov_add_correct_passes(capsys):
    assert exercises.check("ch03-maslov-add", good_maslov_add)
    assert "✓ ch03-maslov-add" in capsys.readouterr().out


def test_maslov_add_library_version_passes():
    from hjlib.tropical import maslov_add

    assert exercises.check("ch03-maslov-add", lambda a, b, eps: float(maslov_add(a, b, eps)))


def test_naive_formula_gets_overflow_hint():
    def naive(a, b, eps):
        if eps == 0:
            return max(a, b)
        return eps * np.log(np.exp(a / eps) + np.exp(b / eps))

    with pytest.raises(ExerciseError, match="overflows"):
        exercises.check("ch03-maslov-add", naive)


def test_zero_eps_division_is_named():
    def no_zero_case(a, b, eps):
        m = max(a, b)
        return m + eps * math.log1p(math.exp(-abs(a - b) / eps))

    with pytest.raises(ExerciseError, match="ε = 0"):
        exercises.check("ch03-maslov-add", no_zero_case)


def test_missing_eps_factor_is_named():
    def no_eps(a, b, eps):
        if eps == 0:
            return max(a, b)
        m = max(a, b)
        return m + math.log1p(math.exp(-abs(a - b) / eps))

    with pytest.raises(ExerciseError, match="multiplied by ε"):
        exercises.check("ch03-maslov-add", no_eps)


def test_plain_max_is_named():
    with pytest.raises(ExerciseError, match="correction"):
        exercises.check("ch03-maslov-add", lambda a, b, eps: max(a, b))


def test_min_is_named():
    def softmin(a, b, eps):
        if eps == 0:
            return max(a, b)
        m = min(a, b)
        return m - eps * math.log1p(math.exp(-abs(a - b) / eps))

    with pytest.raises(ExerciseError, match="minimum"):
        exercises.check("ch03-maslov-add", softmin)


def test_stub_stays_unfinished():
    def stub(a, b, eps):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        exercises.check("ch03-maslov-add", stub)


F_RIGHT = (np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 0.0]))
G_RIGHT = (np.array([0.0, 2.0]), np.array([0.0, 0.0]))


def test_relu_tropical_right_answers_pass():
    assert exercises.check("ch03-relu-tropical", (F_RIGHT, G_RIGHT))
    # unpruned is fine too: max(2x, x + 1, x − 1, 0)
    F_full = (np.array([0.0, 1.0, 1.0, 2.0]), np.array([0.0, -1.0, 1.0, 0.0]))
    assert exercises.check("ch03-relu-tropical", (F_full, G_RIGHT))


def test_relu_tropical_swapped():
    with pytest.raises(ExerciseError, match="swap F and G"):
        exercises.check("ch03-relu-tropical", (G_RIGHT, F_RIGHT))


def test_relu_tropical_constant_offset():
    F_bad = (F_RIGHT[0], F_RIGHT[1] + 1.0)
    with pytest.raises(ExerciseError, match="off by the constant 1"):
        exercises.check("ch03-relu-tropical", (F_bad, G_RIGHT))


def test_relu_tropical_general_hint_and_shape_errors():
    F_bad = (np.array([0.0, 1.0]), np.array([0.0, 1.0]))   # forgot relu(x − 1)
    with pytest.raises(ExerciseError, match="differs from the network"):
        exercises.check("ch03-relu-tropical", (F_bad, G_RIGHT))
    with pytest.raises(ExerciseError, match="equal length"):
        exercises.check("ch03-relu-tropical", ((np.array([0.0, 1.0]), np.array([0.0])), G_RIGHT))
