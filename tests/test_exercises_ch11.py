"""Chapter 11 exercise checks: right answers pass, typical mistakes get their hint."""
from __future__ import annotations

import re

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def _softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def good_l2(x, keys, values, g, t, eps):
    sq = ((x[:, None, :] - keys[None, :, :]) ** 2).sum(-1)
    return _softmax(-(g + sq / (4 * t)) / eps) @ values


def good_hopfield(xi, X, eps):
    return X.T @ _softmax(X @ xi / eps)


def test_registered():
    assert {"ch11-l2-attention", "ch11-hopfield"} <= set(exercises.available())


def test_l2_correct(capsys):
    assert exercises.check("ch11-l2-attention", good_l2)
    assert "✓ ch11-l2-attention" in capsys.readouterr().out


@pytest.mark.parametrize("kind, hint", [
    ("2t", "not |x − y|²/(2t)"),
    ("no4t", "1/(4t) factor is missing"),
    ("gsign", "sign of g is flipped"),
    ("noeps", "divided by ε"),
    ("axis", "over the keys"),
    ("minus", "minus sign"),
])
def test_l2_wrong_gets_hint(kind, hint):
    def wrong(x, keys, values, g, t, eps):
        sq = ((x[:, None, :] - keys[None, :, :]) ** 2).sum(-1)
        logits, axis = {
            "2t": (-(g + sq / (2 * t)) / eps, -1),
            "no4t": (-(g + sq) / eps, -1),
            "gsign": (-(-g + sq / (4 * t)) / eps, -1),
            "noeps": (-(g + sq / (4 * t)), -1),
            "axis": (-(g + sq / (4 * t)) / eps, 0),
            "minus": ((g + sq / (4 * t)) / eps, -1),
        }[kind]
        return _softmax(logits, axis) @ values

    with pytest.raises(ExerciseError, match=re.escape(hint)):
        exercises.check("ch11-l2-attention", wrong)


def test_l2_wrong_shape():
    with pytest.raises(ExerciseError, match="shape"):
        exercises.check("ch11-l2-attention", lambda x, k, v, g, t, e: good_l2(x, k, v, g, t, e).T)


def test_l2_stub_propagates():
    def stub(*args):
        raise NotImplementedError("fill in")

    with pytest.raises(NotImplementedError):
        exercises.check("ch11-l2-attention", stub)


def test_hopfield_correct(capsys):
    assert exercises.check("ch11-hopfield", good_hopfield)
    assert "✓ ch11-hopfield" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda xi, X, eps: X.T @ _softmax(X @ xi * eps), "divide the scores"),
    (lambda xi, X, eps: X.T @ (X @ xi), "softmax is missing"),
    (lambda xi, X, eps: _softmax(X @ xi / eps), "attention weights"),
])
def test_hopfield_wrong_gets_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        exercises.check("ch11-hopfield", wrong)


def test_hopfield_energy_rise_is_reported():
    """A step that is right at the first state but then overshoots must be caught by the descent check."""
    calls = {"n": 0}

    def flaky(xi, X, eps):
        calls["n"] += 1
        new = good_hopfield(xi, X, eps)
        return new if calls["n"] == 1 else new + 5.0

    with pytest.raises(ExerciseError, match="energy rose"):
        exercises.check("ch11-hopfield", flaky)
