"""hjlib.exercises: correct answers pass, wrong ones get specific feedback, stubs stay unfinished."""
from __future__ import annotations

import math

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_lse(z, eps):
    m = np.max(z)
    return m + eps * np.log(np.sum(np.exp((z - m) / eps)))


def test_registered_checks():
    assert {"lse-stable", "eps-for-tolerance"} <= set(exercises.available())


def test_correct_answer_passes(capsys):
    assert exercises.check("lse-stable", good_lse)
    assert "✓ lse-stable" in capsys.readouterr().out


def test_naive_lse_gets_the_overflow_hint():
    naive = lambda z, eps: eps * np.log(np.sum(np.exp(z / eps)))  # noqa: E731
    with np.errstate(over="ignore", divide="ignore"), pytest.raises(ExerciseError, match="subtract m = max"):
        exercises.check("lse-stable", naive)


def test_missing_eps_factor_is_named():
    no_eps = lambda z, eps: (good_lse(z, eps)) / eps  # noqa: E731
    with pytest.raises(ExerciseError, match="multiply the log by ε"):
        exercises.check("lse-stable", no_eps)


def test_wrong_sign_is_named():
    with pytest.raises(ExerciseError, match="wrong sign"):
        exercises.compare([-1.0, -2.0], [1.0, 2.0], what="u")


def test_stub_propagates_not_implemented():
    def stub(z, eps):
        raise NotImplementedError("fill in my_lse")

    with pytest.raises(NotImplementedError):
        exercises.check("lse-stable", stub)


def test_learner_exception_is_reported_with_input():
    def buggy(z, eps):
        return z[10]

    with pytest.raises(ExerciseError, match=r"my_lse\(z=\[0.0, 1.0, 2.0\], eps=1.0\) raised IndexError"):
        exercises.check("lse-stable", buggy)


def test_eps_for_tolerance_feedback():
    assert exercises.check("eps-for-tolerance", lambda N, tol: math.inf if N == 1 else tol / math.log(N))
    with pytest.raises(ExerciseError, match="divide"):
        exercises.check("eps-for-tolerance", lambda N, tol: math.inf if N == 1 else tol * math.log(N))
    with pytest.raises(ExerciseError, match="math.inf"):
        exercises.check("eps-for-tolerance", lambda N, tol: tol / max(math.log(N), 1e-300))


def test_unknown_exercise_lists_known_ones():
    with pytest.raises(KeyError, match="lse-stable"):
        exercises.check("no-such-exercise", None)
