"""Chapter 7 exercise checks: right answers pass, typical wrong ones get the specific hint."""
from __future__ import annotations

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def _pi(x, W, b, eps):
    z = (x[:, None] * W[None, :] + b[None, :]) / eps
    z = z - z.max(axis=1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def good_curvature(x, W, b, eps):
    pi = _pi(x, W, b, eps)
    mean = pi @ W
    return (pi * (W[None, :] - mean[:, None]) ** 2).sum(axis=1) / eps


def good_bound(z, eps):
    top2 = np.sort(z, axis=1)[:, -2:]
    return eps * np.log1p((z.shape[1] - 1) * np.exp(-(top2[:, 1] - top2[:, 0]) / eps))


def test_registered():
    assert {"ch07-curvature-1d", "ch07-extrapolation-bound"} <= set(exercises.available())


def test_curvature_right_answer_passes(capsys):
    assert exercises.check("ch07-curvature-1d", good_curvature)
    assert "✓ ch07-curvature-1d" in capsys.readouterr().out


def test_curvature_agrees_with_hjlib():
    from hjlib.robustness import hessian_norm

    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal(11), rng.standard_normal(5), rng.standard_normal(5)
    np.testing.assert_allclose(good_curvature(x, W, b, 0.4), hessian_norm(x, W, b, 0.4), rtol=1e-12)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, W, b, eps: good_curvature(x, W, b, eps) * eps, "divide by ε"),
        (lambda x, W, b, eps: (_pi(x, W, b, eps) @ W ** 2) / eps, "subtract the square of the mean"),
        (lambda x, W, b, eps: (_pi(x, W, b, eps) @ W) ** 2 / eps, "squared mean"),
    ],
)
def test_curvature_typical_mistakes_get_hints(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        exercises.check("ch07-curvature-1d", wrong)


def test_curvature_without_shift_is_caught():
    def naive(x, W, b, eps):
        z = (x[:, None] * W[None, :] + b[None, :]) / eps
        pi = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        mean = pi @ W
        return (pi * (W[None, :] - mean[:, None]) ** 2).sum(axis=1) / eps

    with np.errstate(all="ignore"), pytest.raises(ExerciseError, match="subtract the row maximum"):
        exercises.check("ch07-curvature-1d", naive)


def test_curvature_unfinished_stub_propagates():
    def stub(x, W, b, eps):
        raise NotImplementedError("fill in curvature_1d")

    with pytest.raises(NotImplementedError):
        exercises.check("ch07-curvature-1d", stub)


def test_bound_right_answer_passes(capsys):
    assert exercises.check("ch07-extrapolation-bound", good_bound)
    assert "✓ ch07-extrapolation-bound" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda z, eps: eps * np.log1p(z.shape[1] * np.exp(-np.diff(np.sort(z, 1)[:, -2:], axis=1)[:, 0] / eps)),
         "N − 1, not N"),
        (lambda z, eps: good_bound(z, eps) / eps, "Multiply the logarithm by ε"),
        (lambda z, eps: eps * (z.shape[1] - 1) * np.exp(-np.diff(np.sort(z, 1)[:, -2:], axis=1)[:, 0] / eps),
         "weaker bound"),
        (lambda z, eps: eps * np.log(1 + (z.shape[1] - 1) * np.exp(-np.diff(np.sort(z, 1)[:, -2:], axis=1)[:, 0] / eps)),
         "log1p"),
    ],
)
def test_bound_typical_mistakes_get_hints(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        exercises.check("ch07-extrapolation-bound", wrong)


def test_bound_is_hjlib_bound():
    from hjlib.robustness import extrapolation_gap

    rng = np.random.default_rng(2)
    x, W, b = rng.standard_normal((9, 3)), rng.standard_normal((7, 3)), rng.standard_normal(7)
    gap, bound, _ = extrapolation_gap(x, W, b, 0.2)
    np.testing.assert_allclose(good_bound(x @ W.T + b, 0.2), bound, rtol=1e-12)
    assert np.all(gap <= bound * (1 + 1e-12))
