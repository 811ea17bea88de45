"""hjlib.exact (closed forms vs quadrature and limits) and hjlib.solve_hj_fd (measured order)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from hjlib import exact, hopf_lax, solve_hj_fd


def _hopf_cole_quad(gfun, x, t, eps, kinks=(0.0,)):
    """−ε log ∫ (4πεt)^{-1/2} exp(−(g(y) + (x−y)²/4t)/ε) dy by adaptive quadrature (1-D)."""
    f = lambda y: float(gfun(y)) + (x - y) ** 2 / (4 * t) if np.ndim(y) == 0 else gfun(y) + (x - y) ** 2 / (4 * t)
    ys = np.linspace(-40, 40, 80001)
    m = f(ys).min()
    I, _ = quad(lambda y: math.exp(-(f(y) - m) / eps), -40, 40, points=sorted({*kinks, x}),
                limit=500, epsabs=0, epsrel=1e-13)
    return m - eps * math.log(I / math.sqrt(4 * math.pi * eps * t))


@pytest.mark.parametrize("eps", [0.05, 0.5])
@pytest.mark.parametrize("t", [0.5, 1.0])
def test_closed_forms_match_quadrature(eps, t):
    xs = [-2.0, -0.4, 0.0, 0.9, 2.3]
    for a in (0.5, 1.0, 3.0):   # C5
        for x in xs:
            ref = _hopf_cole_quad(lambda y: 0.5 * a * y * y, x, t, eps)
            assert abs(float(exact.quadratic(np.array([x]), t, eps, a)) - ref) <= 1e-8
    for a, b in [(-1.0, 1.0), (1.0, -1.0), (0.5, 2.0)]:
        for x in xs:
            ref = _hopf_cole_quad(lambda y: np.where(y < 0, a * y, b * y), x, t, eps)
            assert abs(float(exact.two_slope(np.array(x), t, eps, a, b)) - ref) <= 1e-9
    a, b = 1.5, -0.5
    for x in xs:
        ref = _hopf_cole_quad(lambda y: -eps * np.logaddexp(-a * y / eps, -b * y / eps), x, t, eps)
        assert abs(float(exact.viscous_shock(np.array(x), t, eps, a, b)) - ref) <= 1e-9


def test_limits_and_tiny_eps():
    x = np.linspace(-3, 3, 61)
    for a, b in [(-1.0, 1.0), (1.0, -0.5)]:
        u0 = exact.two_slope(x, 0.7, 0.0, a, b)
        for eps in (1e-3, 1e-6, 1e-12):
            u = exact.two_slope(x, 0.7, eps, a, b)
            assert np.isfinite(u).all()
            assert np.max(np.abs(u - u0)) <= eps * (1 + math.log(1 / eps))   # measured ≈ ε log(1/ε)/2
        # ε = 0 closed form equals brute-force Hopf–Lax over a fine grid of atoms
        ys = np.linspace(-10, 10, 200001)
        ref = hopf_lax(x, ys, np.where(ys < 0, a * ys, b * ys), 0.7)
        assert np.max(np.abs(u0 - ref)) <= 1e-8
    # quadratic at ε = 0 is Hopf–Lax
    ys = np.linspace(-10, 10, 200001)
    assert np.max(np.abs(exact.quadratic(x[:, None], 0.7, 0.0, 1.5) - hopf_lax(x, ys, 0.75 * ys**2, 0.7))) <= 1e-8
    # t = 0 returns the datum; shock speed a + b
    assert np.allclose(exact.two_slope(x, 0.0, 0.1, -1.0, 2.0), np.where(x < 0, -x, 2 * x))
    assert np.allclose(exact.viscous_shock(x, 0.0, 0.0, 1.0, -1.0), -np.abs(x))
    xx = np.linspace(-2, 4, 6001)
    p = np.gradient(exact.viscous_shock(xx, 1.0, 0.05, 1.5, -0.5), xx)
    assert abs(xx[np.argmin(np.abs(p - 0.5))] - 1.0) <= 2e-3           # front at (a + b) t


def test_exact_bad_input():
    with pytest.raises(ValueError, match="eps must be a finite number >= 0"):
        exact.two_slope(np.zeros(3), 1.0, -1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="t must be a finite number >= 0"):
        exact.viscous_shock(np.zeros(3), -1.0, 0.1, 1.0, 2.0)
    with pytest.raises(ValueError, match="blows up"):
        exact.quadratic(np.zeros((3, 1)), 1.0, 0.1, a=-1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        exact.quadratic(np.float64(1.0), 1.0, 0.1)


# ---------------------------------------------------------------------------------------------
def _orders(errs, ns):
    return [math.log(errs[i] / errs[i + 1]) / math.log((ns[i + 1] - 1) / (ns[i] - 1))
            for i in range(len(ns) - 1)]


FD_CASES = {
    # name: (eps, datum, exact, minimum observed order on the finest pair)
    "two_slope_rarefaction": (0.1, lambda x: np.abs(x), lambda x: exact.two_slope(x, 0.5, 0.1, -1.0, 1.0), 0.85),
    "two_slope_shock": (0.1, lambda x: -np.abs(x), lambda x: exact.two_slope(x, 0.5, 0.1, 1.0, -1.0), 0.9),
    "quadratic": (0.1, lambda x: 0.5 * x * x, lambda x: exact.quadratic(x[:, None], 0.5, 0.1, 1.0), 0.9),
    "two_slope_rarefaction_eps0": (0.0, lambda x: np.abs(x), lambda x: exact.two_slope(x, 0.5, 0.0, -1.0, 1.0), 0.7),
}


@pytest.mark.parametrize("name", list(FD_CASES))
def test_fd_convergence_order_1d(name):
    """First-order monotone scheme: observed order in max norm on |x| ≤ 1.5 (domain [−3, 3])."""
    eps, g0, ex, min_order = FD_CASES[name]
    ns = [151, 301, 601, 1201]
    errs = []
    for n in ns:
        x = np.linspace(-3, 3, n)
        u = solve_hj_fd(g0(x), x, 0.5, eps)
        inner = np.abs(x) <= 1.5
        errs.append(np.max(np.abs(u - ex(x))[inner]))
    orders = _orders(errs, ns)
    assert errs[-1] < errs[0] / 4
    assert min_order <= orders[-1] <= 1.2, (errs, orders)
    assert errs[-1] <= 5e-3


def test_fd_convergence_order_2d():
    ns = [41, 81, 161]
    errs = []
    for n in ns:
        x = np.linspace(-3, 3, n)
        u = solve_hj_fd(lambda a, b: 0.5 * (a * a + b * b), (x, x), 0.5, 0.1)
        X, Y = np.meshgrid(x, x, indexing="ij")
        ref = exact.quadratic(np.stack([X, Y], -1), 0.5, 0.1, 1.0)
        inner = (np.abs(X) <= 1.5) & (np.abs(Y) <= 1.5)
        errs.append(np.max(np.abs(u - ref)[inner]))
    orders = _orders(errs, ns)
    assert 0.85 <= orders[-1] <= 1.2, (errs, orders)


def test_fd_2d_separable_matches_1d():
    """u(x, y) = u₁(x) + u₂(y) for separable data: the 2-D solver reproduces two 1-D solves."""
    x = np.linspace(-3, 3, 61)
    y = np.linspace(-2, 2, 41)
    u2 = solve_hj_fd(lambda a, b: np.abs(a) + 0.5 * b * b, (x, y), 0.3, 0.2)
    ref = exact.two_slope(x, 0.3, 0.2, -1.0, 1.0)[:, None] + exact.quadratic(y[:, None], 0.3, 0.2, 1.0)[None, :]
    inner = (np.abs(x) <= 1.5)[:, None] & (np.abs(y) <= 1.0)[None, :]
    assert np.max(np.abs(u2 - ref)[inner]) <= 0.05


def test_fd_bad_input():
    x = np.linspace(-1, 1, 11)
    with pytest.raises(ValueError, match="eps must be a finite number >= 0"):
        solve_hj_fd(x, x, 1.0, -0.1)
    with pytest.raises(ValueError, match="uniform grid"):
        solve_hj_fd(x, x**3, 1.0, 0.1)
    with pytest.raises(ValueError, match=r"g must have the grid's shape \(11,\)"):
        solve_hj_fd(np.zeros(10), x, 1.0, 0.1)
    with pytest.raises(ValueError, match="max_steps"):
        xf = np.linspace(-1, 1, 1001)
        solve_hj_fd(np.abs(xf), xf, 1.0, 1.0, max_steps=10)
    assert np.array_equal(solve_hj_fd(np.abs(x), x, 0.0, 0.3), np.abs(x))   # t = 0: the datum
