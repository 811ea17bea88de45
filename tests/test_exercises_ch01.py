"""Chapter 1 exercise checks: right answers pass, typical mistakes get their hint."""
from __future__ import annotations

import math

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_hopf_lax(x, y, g, t):
    cost = g[None, :] + (x[:, None] - y[None, :]) ** 2 / (4 * t)
    j = np.argmin(cost, axis=1)
    return cost[np.arange(len(x)), j], j


def good_kink(g_values, y):
    h = y[1] - y[0]
    gpp = (g_values[2:] - 2 * g_values[1:-1] + g_values[:-2]) / h**2
    worst = np.max(-gpp)
    return math.inf if worst <= 0 else 1 / (2 * worst)


def test_registered():
    assert {"ch01-hopf-lax", "ch01-first-kink"} <= set(exercises.available())


def test_hopf_lax_correct(capsys):
    assert exercises.check("ch01-hopf-lax", good_hopf_lax)
    assert "✓ ch01-hopf-lax" in capsys.readouterr().out


def test_hopf_lax_half_convention_hint():
    def half(x, y, g, t):
        cost = g[None, :] + (x[:, None] - y[None, :]) ** 2 / (2 * t)
        j = np.argmin(cost, axis=1)
        return cost[np.arange(len(x)), j], j

    with pytest.raises(ExerciseError, match=r"½\|p\|² convention"):
        exercises.check("ch01-hopf-lax", half)


def test_hopf_lax_max_instead_of_min_hint():
    def argmax(x, y, g, t):
        cost = g[None, :] + (x[:, None] - y[None, :]) ** 2 / (4 * t)
        j = np.argmax(cost, axis=1)
        return cost[np.arange(len(x)), j], j

    with pytest.raises(ExerciseError, match="minimum"):
        exercises.check("ch01-hopf-lax", argmax)


def test_hopf_lax_wrong_argmin_named():
    def bad_j(x, y, g, t):
        u, j = good_hopf_lax(x, y, g, t)
        return u, np.zeros_like(j)

    with pytest.raises(ExerciseError, match="cheapest is atom"):
        exercises.check("ch01-hopf-lax", bad_j)


def test_hopf_lax_must_return_pair():
    with pytest.raises(ExerciseError, match=r"pair \(u, j\)"):
        exercises.check("ch01-hopf-lax", lambda x, y, g, t: good_hopf_lax(x, y, g, t)[0])


def test_hopf_lax_stub_propagates():
    def stub(x, y, g, t):
        raise NotImplementedError("fill in")

    with pytest.raises(NotImplementedError):
        exercises.check("ch01-hopf-lax", stub)


def test_first_kink_correct():
    assert exercises.check("ch01-first-kink", good_kink)


def test_first_kink_factor_two_hint():
    with pytest.raises(ExerciseError, match="factor 2"):
        exercises.check("ch01-first-kink", lambda gv, y: 2 * good_kink(gv, y))


def test_first_kink_abs_hint():
    def abs_version(g_values, y):
        h = y[1] - y[0]
        gpp = (g_values[2:] - 2 * g_values[1:-1] + g_values[:-2]) / h**2
        return 1 / (2 * np.max(np.abs(gpp)))

    with pytest.raises(ExerciseError, match="concave parts"):
        exercises.check("ch01-first-kink", abs_version)


def test_first_kink_convex_needs_inf():
    def no_inf(g_values, y):
        h = y[1] - y[0]
        gpp = (g_values[2:] - 2 * g_values[1:-1] + g_values[:-2]) / h**2
        return 1 / (2 * np.max(-gpp))

    with pytest.raises(ExerciseError, match="negative time"):
        exercises.check("ch01-first-kink", no_inf)
