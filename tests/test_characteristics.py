"""hjlib.characteristics: characteristics, the kink detector, the max-affine guess, test functions."""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import hjlib
from hjlib import characteristics as ch
from hjlib.exact import quadratic, two_slope


def test_doctests():
    res = doctest.testmod(ch, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 4


@pytest.mark.parametrize("a", [0.5, 1.0, -0.4])
def test_characteristics_agree_with_quadratic_solution(a):
    # g = a y²/2: x = y(1 + 2at) and u carried = a y²/2 + t a² y² = the exact Hopf–Lax value at x
    t = 0.6
    y = np.linspace(-2, 2, 41)
    x, u = ch.characteristics(y, a * y**2 / 2, a * y, t)
    assert np.allclose(x, y * (1 + 2 * a * t), rtol=0, atol=1e-14)
    exact = quadratic(x[:, None], t, 0.0, a=a)
    assert np.max(np.abs(u - exact)) < 1e-13


def test_characteristics_2d_and_value_equals_hopf_lax_cost():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(30, 2))
    p = rng.normal(size=(30, 2))
    g = rng.normal(size=30)
    t = 0.7
    x, u = ch.characteristics(y, g, p, t)
    # the value carried is g(y) + |x − y|²/(4t): the Hopf–Lax cost of the straight path
    assert np.allclose(u, g + ((x - y) ** 2).sum(1) / (4 * t), atol=1e-13)


def test_characteristics_rejects_bad_shapes():
    with pytest.raises(ValueError, match="grad_g"):
        ch.characteristics(np.zeros(3), np.zeros(3), np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="t must"):
        ch.characteristics(np.zeros(3), np.zeros(3), np.zeros(3), -1.0)


def test_minimizer_jump_detects_first_crossing_of_bump():
    # g = exp(−y²): min g'' = −2 at 0, first crossing at t* = 1/(2·2) = 0.25
    ys = np.linspace(-4, 4, 4001)
    x = np.linspace(-2, 2, 401)
    g = np.exp(-ys**2)
    before = ch.minimizer_jump(x, ys, g, 0.2)
    after = ch.minimizer_jump(x, ys, g, 0.3)
    dx = x[1] - x[0]
    # before: continuous minimiser, slope 1/(1 − t/t*) = 5 at the centre
    assert before < 6 * dx + 2 * (ys[1] - ys[0])
    assert after > 0.5


def test_minimizer_jump_no_kink_for_convex_datum():
    ys = np.linspace(-4, 4, 2001)
    x = np.linspace(-2, 2, 201)
    assert ch.minimizer_jump(x, ys, ys**2, 5.0) < 0.03   # convex: dy*/dx = 1/(1+4t) < 1


def test_max_affine_evolution_is_below_hopf_lax_for_abs():
    t = 0.5
    x = np.linspace(-3, 3, 601)
    naive = ch.max_affine_evolution(x, np.array([-1.0, 1.0]), np.zeros(2), t)
    assert np.allclose(naive, np.abs(x) - t)
    huber = two_slope(x, t, 0.0, -1.0, 1.0)
    gap = huber - naive
    assert gap.min() > -1e-14 and abs(gap.max() - t) < 1e-12      # largest at x = 0, equal to t
    assert np.allclose(gap, np.where(np.abs(x) <= 2 * t, (np.abs(x) - 2 * t) ** 2 / (4 * t), 0.0))


def test_max_affine_evolution_2d_shapes_and_single_piece_exact():
    rng = np.random.default_rng(2)
    P = rng.normal(size=(1, 3))
    c = np.array([0.3])
    x = rng.normal(size=(5, 4, 3))
    out = ch.max_affine_evolution(x, P, c, 0.8)
    assert out.shape == (5, 4)
    assert np.allclose(out, x @ P[0] - 0.3 - 0.8 * (P[0] ** 2).sum())
    with pytest.raises(ValueError):
        ch.max_affine_evolution(np.zeros((2, 2)), P, c, 1.0)


def test_affine_touch_on_viscosity_and_non_viscosity_solutions():
    hl = lambda x, t: np.zeros_like(x + t)                      # viscosity solution for g = 0
    u2 = lambda x, t: np.minimum(0.0, np.abs(x) - t)            # a.e. solution, convex kink at 0
    r = ch.affine_touch(u2, 0.0, 0.5, a=-1.0, q=0.3)
    assert r.from_below and not r.from_above and r.violates and abs(r.hamiltonian + 0.91) < 1e-15
    # slopes outside the subdifferential [−1, 1] do not touch
    assert not ch.affine_touch(u2, 0.0, 0.5, a=-1.0, q=1.5).from_below
    # the smooth solution: the tangent plane touches from both sides, a + q² = 0, no violation
    r0 = ch.affine_touch(hl, 0.3, 0.5, a=0.0, q=0.0)
    assert r0.from_below and r0.from_above and not r0.violates
    # the concave kink of u2 at x = t: touched from above by slopes between 0 and 1 (a = −q)
    for q in [0.2, 0.5, 0.9]:
        rk = ch.affine_touch(u2, 0.5, 0.5, a=-q, q=q)
        assert rk.from_above and not rk.from_below
        assert rk.hamiltonian <= 0 and not rk.violates        # −q + q² ≤ 0 for q ∈ [0, 1]


def test_affine_touch_huber_has_no_violation_but_abs_minus_t_does():
    huber = lambda x, t: two_slope(x, t, 0.0, -1.0, 1.0)
    naive = lambda x, t: np.abs(x) - t
    for q in np.linspace(-0.9, 0.9, 7):
        assert ch.affine_touch(naive, 0.0, 0.5, a=-1.0, q=q).violates
    # Huber is smooth at 0 with u_t = 0, u_x = 0
    r = ch.affine_touch(huber, 0.0, 0.5, a=0.0, q=0.0, r=1e-3)
    assert not r.violates
    with pytest.raises(ValueError):
        ch.affine_touch(naive, 0.0, 0.0, a=0.0, q=0.0)


def test_reachable_as_attribute():
    assert hjlib.characteristics.minimizer_jump is ch.minimizer_jump
