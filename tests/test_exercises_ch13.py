"""Chapter 13 exercise checks: right answers pass, typical wrong ones get the specific hint."""
from __future__ import annotations

import numpy as np
import pytest

from hjlib import attribution as A
from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_entropy(s, eps):
    return float(A.attribution_entropy(s, eps))


def naive_entropy(s, eps):                      # overflows / 0·log 0
    p = np.exp(s / eps)
    p = p / p.sum()
    return float(-(p * np.log(p)).sum())


def clipped_entropy(s, eps):                    # the released code's clip: not exactly 0
    p = np.exp(A.gibbs_log_weights(s, eps))
    p = np.clip(p, 1e-15, None)
    return float(-(p * np.log(p)).sum())


def good_grad(x, y, g, eps, t):
    return A.entropy_gradient(x, y, g, eps, t)


def test_registered():
    assert {"ch13-entropy-stable", "ch13-entropy-gradient"} <= set(exercises.available())


def test_right_answers_pass(capsys):
    assert exercises.check("ch13-entropy-stable", good_entropy)
    assert exercises.check("ch13-entropy-gradient", good_grad)
    assert "✓ ch13-entropy-gradient" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (naive_entropy, "0·log 0"),
    (clipped_entropy, "exactly 0.0"),
    (lambda s, eps: -good_entropy(s, eps), "sign is wrong"),
    (lambda s, eps: np.exp(A.gibbs_log_weights(s, eps)), "one number"),
])
def test_entropy_mistakes_get_hints(wrong, words):
    with np.errstate(all="ignore"), pytest.raises(ExerciseError, match=words):
        exercises.check("ch13-entropy-stable", wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, y, g, eps, t: -good_grad(x, y, g, eps, t), "sign is flipped"),
    (lambda x, y, g, eps, t: good_grad(x, y, g, eps, t) * 2 * t * eps, "Divide the covariance by 2tε"),
    (lambda x, y, g, eps, t: good_grad(x, y, g, eps, t) * eps, "factors 2t or ε"),
    (lambda x, y, g, eps, t: good_grad(x, y, g, eps, t) + 0.1, "finite difference"),
])
def test_gradient_mistakes_get_hints(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        exercises.check("ch13-entropy-gradient", wrong)


def test_unfinished_stub_propagates():
    def stub(s, eps):
        raise NotImplementedError("fill in")

    with pytest.raises(NotImplementedError):
        exercises.check("ch13-entropy-stable", stub)
