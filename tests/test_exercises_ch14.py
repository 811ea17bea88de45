"""Chapter 14 exercise checks: right answers pass, typical mistakes get their hint."""
from __future__ import annotations

import numpy as np
import pytest

from hjlib import bifurcation as B
from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_count(xgrid, y, g, eps, t):
    d = B.entropy_grad(xgrid[:, None], y, g, eps, t)[:, 0]
    d = d[d != 0]
    s = np.sign(d)
    change = s[:-1] != s[1:]
    return int(np.sum(change & (s[:-1] < 0))), int(np.sum(change & (s[:-1] > 0)))


def good_step(x, eps0, eps1, y, g, t):
    tangent = -np.linalg.solve(B.entropy_hessian(x, y, g, eps0, t), B.entropy_grad_eps(x, y, g, eps0, t))
    x_pred = x + (eps1 - eps0) * tangent
    x_new = x_pred.copy()
    for _ in range(3):
        x_new = x_new - np.linalg.solve(B.entropy_hessian(x_new, y, g, eps1, t), B.entropy_grad(x_new, y, g, eps1, t))
    return x_pred, x_new


def test_registered():
    assert {"ch14-count-1d", "ch14-continuation-step"} <= set(exercises.available())


def test_count_correct(capsys):
    assert exercises.check("ch14-count-1d", good_count)
    assert "✓ ch14-count-1d" in capsys.readouterr().out


def test_count_swapped():
    with pytest.raises(ExerciseError, match="swapped"):
        exercises.check("ch14-count-1d", lambda *a: good_count(*a)[::-1])


def test_count_double():
    with pytest.raises(ExerciseError, match="twice"):
        exercises.check("ch14-count-1d", lambda *a: tuple(2 * v for v in good_count(*a)))


def test_count_not_a_pair():
    with pytest.raises(ExerciseError, match="pair"):
        exercises.check("ch14-count-1d", lambda *a: 3)


def test_count_stub():
    def stub(*a):
        raise NotImplementedError
    with pytest.raises(NotImplementedError):
        exercises.check("ch14-count-1d", stub)


def test_step_correct(capsys):
    assert exercises.check("ch14-continuation-step", good_step)
    assert "✓ ch14-continuation-step" in capsys.readouterr().out


def test_step_wrong_sign_predictor():
    def bad(x, eps0, eps1, y, g, t):
        xp, _ = good_step(x, eps0, eps1, y, g, t)
        return 2 * x - xp, good_step(x, eps0, eps1, y, g, t)[1]
    with pytest.raises(ExerciseError, match="wrong way"):
        exercises.check("ch14-continuation-step", bad)


def test_step_no_predictor():
    with pytest.raises(ExerciseError, match="tangent"):
        exercises.check("ch14-continuation-step", lambda x, *a: (x, x))


def test_step_no_corrector():
    def bad(x, eps0, eps1, y, g, t):
        xp, _ = good_step(x, eps0, eps1, y, g, t)
        return xp, xp
    with pytest.raises(ExerciseError, match="Newton corrections"):
        exercises.check("ch14-continuation-step", bad)


def test_step_newton_at_old_eps():
    def bad(x, eps0, eps1, y, g, t):
        xp, _ = good_step(x, eps0, eps1, y, g, t)
        xn = xp.copy()
        for _ in range(3):
            xn = xn - np.linalg.solve(B.entropy_hessian(xn, y, g, eps0, t), B.entropy_grad(xn, y, g, eps0, t))
        return xp, xn
    with pytest.raises(ExerciseError, match="ε₁"):
        exercises.check("ch14-continuation-step", bad)
