"""Chapter 4 exercise checks: right answers pass, typical wrong ones get the specific hint."""
from __future__ import annotations

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def make_mirror_ascent(sign=1.0, entropy=True, temperature=True, normalise=True, steps=300):
    def mirror_ascent(z, eps, n_steps=steps):
        e = eps if temperature else 1.0
        eta = 0.5 / e
        log_pi = np.full(len(z), -np.log(len(z)))
        for _ in range(n_steps):
            grad = z - (e * (1 + log_pi) if entropy else 0.0)
            log_pi = log_pi + sign * eta * grad
            if normalise:
                m = log_pi.max()
                log_pi = log_pi - (m + np.log(np.exp(log_pi - m).sum()))
        return np.exp(log_pi)
    return mirror_ascent


def test_registered():
    assert {"ch04-mirror-ascent", "ch04-legendre-grid"} <= set(exercises.available())


def test_mirror_ascent_correct_passes(capsys):
    assert exercises.check("ch04-mirror-ascent", make_mirror_ascent())
    assert "✓ ch04-mirror-ascent" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (make_mirror_ascent(sign=-1.0), "stepped"),
    (make_mirror_ascent(temperature=False), "temperature is missing"),
    (make_mirror_ascent(entropy=False, steps=60), "entropy part of the gradient"),
    (make_mirror_ascent(steps=0), "never updated"),
    (make_mirror_ascent(normalise=False, steps=3), "renormalise"),
])
def test_mirror_ascent_wrong_answers_get_hints(wrong, hint):
    with np.errstate(all="ignore"), pytest.raises(ExerciseError, match=hint):
        exercises.check("ch04-mirror-ascent", wrong)


def test_mirror_ascent_stub_stays_unfinished():
    def stub(z, eps):
        raise NotImplementedError("fill in")
    with pytest.raises(NotImplementedError):
        exercises.check("ch04-mirror-ascent", stub)


def good_legendre(xs, fx, ps):
    return (ps[:, None] * xs[None, :] - fx[None, :]).max(axis=1)


def test_legendre_correct_passes(capsys):
    assert exercises.check("ch04-legendre-grid", good_legendre)
    assert "✓ ch04-legendre-grid" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda xs, fx, ps: (ps[:, None] * xs[None, :] - fx[None, :]).min(axis=1), "minimum"),
    (lambda xs, fx, ps: (fx[None, :] - ps[:, None] * xs[None, :]).max(axis=1), "Sign error"),
    (lambda xs, fx, ps: (ps[:, None] * xs[None, :] - fx[None, :]).max(axis=0), "maximise over the grid"),
    (lambda xs, fx, ps: (ps[:, None] * xs[None, :] - fx[None, :]).argmax(axis=1), "index"),
])
def test_legendre_wrong_answers_get_hints(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        exercises.check("ch04-legendre-grid", wrong)
