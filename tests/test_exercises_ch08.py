"""Exercise checks of the width-quadrature chapter: right answers pass, typical wrong ones get the hint."""
from __future__ import annotations

import math

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_normalized_lse(x, y, g, eps, t):
    b = -g - (y ** 2).sum(axis=1) / (4 * t)
    z = (x @ (y / (2 * t)).T + b) / eps
    m = z.max(axis=1, keepdims=True)
    return eps * (np.log(np.mean(np.exp(z - m), axis=1)) + m[:, 0])


def test_registered():
    assert {"ch08-normalized-lse", "ch08-endpoint-offset"} <= set(exercises.available())


def test_normalized_lse_right_answer_passes():
    assert exercises.check("ch08-normalized-lse", good_normalized_lse)


def test_sum_instead_of_mean_gets_hint():
    def summed(x, y, g, eps, t):
        return good_normalized_lse(x, y, g, eps, t) + eps * math.log(len(g))

    with pytest.raises(ExerciseError, match="without the 1/N"):
        exercises.check("ch08-normalized-lse", summed)


def test_unstable_lse_gets_hint():
    def naive(x, y, g, eps, t):
        b = -g - (y ** 2).sum(axis=1) / (4 * t)
        return eps * np.log(np.mean(np.exp((x @ (y / (2 * t)).T + b) / eps), axis=1))

    with np.errstate(all="ignore"), pytest.raises(ExerciseError, match="subtract the row maximum"):
        exercises.check("ch08-normalized-lse", naive)


def test_endpoint_offset_feedback():
    assert exercises.check("ch08-endpoint-offset", lambda d, eps, n: d * eps * math.log(n / (n - 1)))
    with pytest.raises(ExerciseError, match="first-order approximation"):
        exercises.check("ch08-endpoint-offset", lambda d, eps, n: d * eps / n)
    with pytest.raises(ExerciseError, match="multiply by d"):
        exercises.check("ch08-endpoint-offset", lambda d, eps, n: eps * math.log(n / (n - 1)))


def test_stub_stays_unfinished():
    def stub(d, eps, n):
        raise NotImplementedError("fill in endpoint_offset")

    with pytest.raises(NotImplementedError):
        exercises.check("ch08-endpoint-offset", stub)
