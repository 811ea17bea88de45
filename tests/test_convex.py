"""hjlib.convex: Gibbs principle pieces, mirror descent, Legendre transforms, grid Hopf–Cole."""
from __future__ import annotations

import math

import numpy as np
import pytest

import hjlib
from hjlib import convex


def softmax(z, eps):
    w = np.exp((z - z.max()) / eps)
    return w / w.sum()


def test_entropy_and_kl_basic_values():
    assert math.isclose(float(convex.entropy(np.full(8, 1 / 8))), math.log(8), rel_tol=1e-15)
    assert float(convex.entropy([1.0, 0.0, 0.0])) == 0.0                 # 0 log 0 = 0
    assert float(convex.kl_divergence([0.2, 0.8], [0.2, 0.8])) == 0.0
    assert math.isclose(float(convex.kl_divergence([1.0, 0.0], [0.5, 0.5])), math.log(2))
    assert float(convex.kl_divergence([0.5, 0.5], [1.0, 0.0])) == math.inf
    with pytest.raises(ValueError):
        convex.entropy([-0.1, 1.1])


@pytest.mark.parametrize("eps", [0.05, 0.3, 1.0, 4.0])
def test_gibbs_principle_kl_identity(eps):
    """LSE_eps(z) - (<pi,z> + eps H(pi)) = eps KL(pi || softmax) for any pi in the simplex."""
    rng = np.random.default_rng(1)
    z = 2 * rng.standard_normal(7)
    sm = softmax(z, eps)
    lse = float(hjlib.lse(z, eps))
    for pi in rng.dirichlet(np.ones(7), size=50):
        gap = lse - float(convex.gibbs_objective(pi, z, eps))
        assert gap >= -1e-13
        assert abs(gap - eps * float(convex.kl_divergence(pi, sm))) < 1e-12
    assert abs(float(convex.gibbs_objective(sm, z, eps)) - lse) < 1e-13


@pytest.mark.parametrize("eps", [0.05, 0.5, 3.0])
def test_mirror_descent_finds_softmax(eps):
    rng = np.random.default_rng(2)
    z = 3 * rng.standard_normal(12)
    pi, k = convex.mirror_descent_simplex(lambda p: -(z - eps * (1 + np.log(p))), np.ones(12),
                                          step=0.5 / eps, n_steps=500, tol=1e-15)
    assert k < 500
    assert np.abs(pi - softmax(z, eps)).max() < 1e-12
    assert abs(float(convex.gibbs_objective(pi, z, eps)) - float(hjlib.lse(z, eps))) < 1e-12


def test_mirror_descent_with_too_large_step_does_not_converge():
    z, eps = np.array([0.0, 1.0, 3.0]), 1.0
    with np.errstate(all="ignore"):                                      # it oscillates and blows up
        pi, k = convex.mirror_descent_simplex(lambda p: -(z - eps * (1 + np.log(p))), np.ones(3),
                                              step=2.5, n_steps=50, tol=1e-15)   # eta*eps > 2
    assert k == 50 and not np.allclose(pi, softmax(z, eps), atol=1e-3)


def test_entropic_hopf_lax_minimum_is_hopf_cole():
    rng = np.random.default_rng(3)
    y = rng.standard_normal((6, 2))
    g = rng.uniform(0, 1, 6)
    x = rng.standard_normal((4, 2))
    t, eps = 0.7, 0.2
    C = convex.hopf_lax_costs(x, y, g, t)
    assert C.shape == (4, 6)
    u = hjlib.hopf_cole(x, y, g, t, eps)
    for i in range(4):
        pi, _ = convex.mirror_descent_simplex(lambda p: C[i] + eps * (1 + np.log(p)), np.ones(6),
                                              step=0.5 / eps, n_steps=200, tol=1e-15)
        assert abs(float(convex.entropic_hopf_lax_objective(pi, C[i], eps)) - u[i]) < 1e-12
    # weighted version: relative entropy to the weights
    w = rng.uniform(0.1, 2.0, 6)
    uw = hjlib.hopf_cole(x[0], y, g, t, eps, weights=w)
    pw = w * np.exp(-(C[0] - C[0].min()) / eps)
    pw /= pw.sum()
    assert abs(float(convex.entropic_hopf_lax_objective(pw, C[0], eps, weights=w)) - uw) < 1e-12
    assert np.allclose(C.min(1), hjlib.hopf_lax(x, y, g, t), atol=1e-14)


def test_legendre_transform_closed_forms():
    xs = np.linspace(-4, 4, 8001)
    p = np.linspace(-3, 3, 61)
    assert np.abs(convex.legendre_transform(xs, xs**2, p) - p**2 / 4).max() < 1e-6   # H* = L
    ya = np.linspace(-2, 2, 4001)
    ga = convex.legendre_transform(ya, np.abs(ya), p)
    assert np.abs(ga - 2 * np.maximum(np.abs(p) - 1, 0)).max() < 1e-12
    val, j = convex.legendre_transform(xs, xs**2, np.array([1.0]), return_argmax=True)
    assert abs(xs[j[0]] - 0.5) < 1e-12                                  # maximiser x = p/2
    # 2-D, blocked
    g1 = np.linspace(-2, 2, 81)
    X = np.stack(np.meshgrid(g1, g1, indexing="ij"), -1).reshape(-1, 2)
    P = np.array([[0.3, -0.5], [1.0, 1.0]])
    out = convex.legendre_transform(X, (X**2).sum(1), P, block=1000)
    assert np.abs(out - (P**2).sum(1) / 4).max() < 1e-3


def test_hopf_formula_through_two_conjugates():
    """u0 = (g* + t H)* for convex g (Hopf formula): g = |y| on [-2, 2]."""
    t = 0.25
    ys = np.linspace(-2, 2, 4001)
    ps = np.linspace(-6, 6, 12001)
    gstar = convex.legendre_transform(ys, np.abs(ys), ps)
    x = np.linspace(-3, 3, 61)
    u = convex.legendre_transform(ps, gstar + t * ps**2, x)
    assert np.abs(u - convex.hopf_cole_abs(x, t, 0.0, half_width=2.0)).max() < 1e-5


def test_hopf_cole_abs_whole_line_matches_two_slope():
    x = np.linspace(-3, 3, 61)
    for eps in [2.0, 0.3, 1e-3, 1e-8, 0.0]:
        a = convex.hopf_cole_abs(x, 0.4, eps)
        b = hjlib.exact.two_slope(x, 0.4, eps, -1.0, 1.0)
        assert np.abs(a - b).max() < 1e-12


def test_hopf_cole_abs_interval_against_quadrature_and_hopf_lax():
    t, L = 0.25, 2.0
    x = np.linspace(-3, 3, 31)
    for eps in [1.0, 0.1, 0.01]:
        y, h = convex.midpoint_grid(-L, L, 1 << 16)
        ref = hjlib.hopf_cole(x, y, np.abs(y), t, eps, weights=np.full(y.size, h), normalized=True)
        assert np.abs(convex.hopf_cole_abs(x, t, eps, half_width=L) - ref).max() < 1e-7
    y, _ = convex.midpoint_grid(-L, L, 1 << 16)
    hl = hjlib.hopf_lax(x, y, np.abs(y), t)
    assert np.abs(convex.hopf_cole_abs(x, t, 0.0, half_width=L) - hl).max() < 1e-4
    # the viscous solution solves the PDE: finite-difference residual
    e, dx, dt = 0.2, 1e-4, 1e-5
    xs = np.linspace(-1.5, 1.5, 7)
    u = lambda xx, tt: convex.hopf_cole_abs(xx, tt, e, half_width=L)  # noqa: E731
    ut = (u(xs, t + dt) - u(xs, t - dt)) / (2 * dt)
    ux = (u(xs + dx, t) - u(xs - dx, t)) / (2 * dx)
    uxx = (u(xs + dx, t) - 2 * u(xs, t) + u(xs - dx, t)) / dx**2
    assert np.abs(ut + ux**2 - e * uxx).max() < 1e-5


def test_grid_hopf_cole_normalisation_and_limits():
    t, L = 0.25, 2.0
    x = np.linspace(-1, 1, 21)
    # N -> infinity at fixed eps: the continuum solution (O(h^2))
    errs = [np.abs(convex.grid_hopf_cole(x, np.abs, -L, L, N, t, 0.1)
                   - convex.hopf_cole_abs(x, t, 0.1, half_width=L)).max() for N in (512, 1024)]
    assert errs[1] < errs[0] / 3.5
    # eps = 0: the discrete Hopf-Lax value
    y, h = convex.midpoint_grid(-L, L, 64)
    assert np.array_equal(convex.grid_hopf_cole(x, np.abs, -L, L, 64, t, 0.0),
                          hjlib.hopf_lax(x, y, np.abs(y), t))
    # without the cell volume the sum drifts by eps log h - (eps/2) log(4 pi eps t)
    raw = hjlib.hopf_cole(x, y, np.abs(y), t, 0.5)
    norm = convex.grid_hopf_cole(x, np.abs, -L, L, 64, t, 0.5)
    assert np.allclose(raw - norm, 0.5 * math.log(h) - 0.25 * math.log(4 * math.pi * 0.5 * t))


def test_midpoint_grid_validation():
    y, h = convex.midpoint_grid(-1.0, 1.0, 4)
    assert h == 0.5 and np.allclose(y, [-0.75, -0.25, 0.25, 0.75])
    with pytest.raises(ValueError):
        convex.midpoint_grid(1.0, -1.0, 4)
    with pytest.raises(ValueError):
        convex.midpoint_grid(0.0, 1.0, 0)
