"""Chapter 6 exercise checks: right answers pass, typical wrong ones get the specific hint."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_deviation(y, g, pi):
    w = pi.mean(axis=0)
    return float(np.sum(w * np.abs(g - np.abs(y))) / np.sum(w))


def good_jacobian(w, t):
    d = w.shape[0]
    J = np.zeros((d + 1, d + 1))
    J[:d, :d] = 2 * t * np.eye(d)
    J[d, :d] = -2 * t * w
    J[d, d] = -1.0
    return J


def test_registered():
    assert {"ch06-weighted-deviation", "ch06-jacobian"} <= set(exercises.available())


def test_deviation_right_answer_passes(capsys):
    assert exercises.check("ch06-weighted-deviation", good_deviation)
    assert "✓ ch06-weighted-deviation" in capsys.readouterr().out


def test_deviation_agrees_with_hjlib():
    from hjlib.recovery import weighted_deviation

    rng = np.random.default_rng(1)
    y, g, pi = rng.standard_normal(5), rng.standard_normal(5), rng.uniform(0, 1, (9, 5))
    assert abs(weighted_deviation(y, g, pi) - good_deviation(y, g, pi)) < 1e-14


@pytest.mark.parametrize("wrong, words", [
    (lambda y, g, pi: float(np.mean(np.abs(g - np.abs(y)))), "plain mean"),
    (lambda y, g, pi: float(abs(np.sum(pi.mean(0) * (g - np.abs(y))) / np.sum(pi.mean(0)))), "must not cancel"),
    (lambda y, g, pi: float(np.sum(pi.mean(0) * np.abs(g - y)) / np.sum(pi.mean(0))), "not with yⱼ"),
    (lambda y, g, pi: float(np.sum(pi.mean(0) * np.abs(g - np.abs(y)))), "Divide by"),
    (lambda y, g, pi: pi.mean(0) * np.abs(g - np.abs(y)), "one number"),
])
def test_deviation_typical_mistakes_get_hints(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        exercises.check("ch06-weighted-deviation", wrong)


def test_deviation_stub_propagates_not_implemented():
    def stub(y, g, pi):
        raise NotImplementedError("fill in")

    with pytest.raises(NotImplementedError):
        exercises.check("ch06-weighted-deviation", stub)


def test_jacobian_right_answer_passes_and_matches_autograd(capsys):
    assert exercises.check("ch06-jacobian", good_jacobian)
    w = torch.tensor([0.3, -0.7], dtype=torch.float64)

    def to_yg(p):
        return torch.cat([2 * 1.5 * p[:-1], (-p[-1] - 1.5 * (p[:-1] ** 2).sum())[None]])

    J = torch.autograd.functional.jacobian(to_yg, torch.cat([w, torch.tensor([0.2], dtype=torch.float64)]))
    assert np.allclose(J.numpy(), good_jacobian(w.numpy(), 1.5), atol=1e-14)


@pytest.mark.parametrize("wrong, words", [
    (lambda w, t: good_jacobian(w, t).T, "transpose"),
    (lambda w, t: np.block([[2 * t * np.eye(w.size), np.zeros((w.size, 1))], [-w[None], -np.ones((1, 1))]]), "not −w"),
    (lambda w, t: np.block([[2 * t * np.eye(w.size), np.zeros((w.size, 1))], [-t * w[None], -np.ones((1, 1))]]),
     "factor 2"),
    (lambda w, t: np.block([[2 * t * np.eye(w.size), np.zeros((w.size, 1))], [-2 * t * w[None], np.ones((1, 1))]]),
     "∂g/∂b = −1"),
])
def test_jacobian_typical_mistakes_get_hints(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        exercises.check("ch06-jacobian", wrong)
