"""Chapter 2 exercise checks: right answers pass, typical wrong ones get the specific hint."""
from __future__ import annotations

import math

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_hopf_cole(x, y, g, t, eps, normalized=False):
    d = x.shape[-1]
    cost = g + ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1) / (4 * t)
    m = cost.min(axis=1)
    u = m - eps * np.log(np.sum(np.exp(-(cost - m[:, None]) / eps), axis=1))
    if normalized:
        u = u + eps * d / 2 * np.log(4 * np.pi * eps * t)
    return u


def test_registered():
    assert {"ch02-hopf-cole", "ch02-source-constant"} <= set(exercises.available())


def test_hopf_cole_right_answer_passes(capsys):
    assert exercises.check("ch02-hopf-cole", good_hopf_cole)
    assert "✓ ch02-hopf-cole" in capsys.readouterr().out


def test_hopf_cole_agrees_with_hjlib():
    import hjlib

    rng = np.random.default_rng(0)
    x, y, g = rng.standard_normal((7, 2)), rng.standard_normal((5, 2)), rng.uniform(0, 1, 5)
    for normalized in (False, True):
        ref = hjlib.hopf_cole(x, y, g, 0.7, 0.2, normalized=normalized)
        assert np.allclose(good_hopf_cole(x, y, g, 0.7, 0.2, normalized), ref, rtol=1e-12, atol=1e-13)


def test_hopf_cole_without_shift_gets_the_shift_hint():
    def naive(x, y, g, t, eps, normalized=False):
        d = x.shape[-1]
        cost = g + ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1) / (4 * t)
        u = -eps * np.log(np.sum(np.exp(-cost / eps), axis=1))
        if normalized:
            u = u + eps * d / 2 * np.log(4 * np.pi * eps * t)
        return u

    with np.errstate(divide="ignore", over="ignore"), pytest.raises(ExerciseError, match="subtract"):
        exercises.check("ch02-hopf-cole", naive)


def test_hopf_cole_missing_normalisation_is_named():
    def no_norm(x, y, g, t, eps, normalized=False):
        return good_hopf_cole(x, y, g, t, eps, False)

    with pytest.raises(ExerciseError, match="lack that"):
        exercises.check("ch02-hopf-cole", no_norm)


def test_hopf_cole_wrong_sign_normalisation_is_named():
    def minus(x, y, g, t, eps, normalized=False):
        u = good_hopf_cole(x, y, g, t, eps, False)
        if normalized:
            u = u - eps * x.shape[-1] / 2 * np.log(4 * np.pi * eps * t)
        return u

    with pytest.raises(ExerciseError, match="wrong sign"):
        exercises.check("ch02-hopf-cole", minus)


def test_hopf_cole_2t_cost_is_named():
    def two_t(x, y, g, t, eps, normalized=False):
        return good_hopf_cole(x, y, g, t / 2, eps, normalized)

    with pytest.raises(ExerciseError, match=r"4t"):
        exercises.check("ch02-hopf-cole", two_t)


def test_source_constant_right_answer_passes(capsys):
    assert exercises.check("ch02-source-constant", lambda eps, d, t: -eps * d / (2 * t))
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda eps, d, t: eps * d / (2 * t), "Wrong sign"),
    (lambda eps, d, t: -eps * d / t, "factor 2"),
    (lambda eps, d, t: eps * d / 2 * math.log(4 * math.pi * eps * t), "time derivative"),
])
def test_source_constant_wrong_answers_get_hints(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        exercises.check("ch02-source-constant", wrong)


def test_source_constant_missing_d_is_named():
    # right for d = 1 (the first case), wrong from d = 3 on
    with pytest.raises(ExerciseError, match="d dimensions"):
        exercises.check("ch02-source-constant", lambda eps, d, t: -eps / (2 * t))


def test_stubs_stay_unfinished():
    def stub(*a, **k):
        raise NotImplementedError("fill in")

    for name in ("ch02-hopf-cole", "ch02-source-constant"):
        with pytest.raises(NotImplementedError):
            exercises.check(name, stub)
