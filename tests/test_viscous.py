"""hjlib.viscous: continuum Hopf–Cole quadrature, Burgers residual, observed orders."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import hjlib
from hjlib.exact import quadratic, two_slope, viscous_shock
from hjlib.viscous import burgers_residual, hopf_cole_integral_1d, observed_order


@pytest.mark.parametrize("a", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("eps", [0.05, 0.5])
@pytest.mark.parametrize("t", [0.5, 1.0])
def test_quadrature_matches_quadratic_closed_form(a, eps, t):
    x = np.array([-1.3, 0.0, 0.4, 2.0])
    u = hopf_cole_integral_1d(x, lambda y: a * y**2 / 2, t, eps, lo=-15, hi=15)
    closed = a * x**2 / (2 * (1 + 2 * a * t)) + eps / 2 * np.log(1 + 2 * a * t)
    assert np.abs(u - closed).max() <= 1e-10
    assert np.abs(u - quadratic(x[:, None], t, eps, a=a)).max() <= 1e-10


@pytest.mark.parametrize("a, b", [(-1.0, 1.0), (1.0, -1.0), (0.5, -2.0)])
def test_quadrature_matches_two_slope(a, b):
    x = np.linspace(-2, 2, 9)
    u = hopf_cole_integral_1d(x, lambda y: np.where(y < 0, a * y, b * y), 0.7, 0.05, lo=-12, hi=12)
    assert np.abs(u - two_slope(x, 0.7, 0.05, a, b)).max() <= 1e-9


def test_unnormalized_quadrature_differs_by_the_constant():
    g = lambda y: np.abs(y)  # noqa: E731
    un = hopf_cole_integral_1d([0.3], g, 1.0, 0.2, lo=-10, hi=10, normalized=False)
    no = hopf_cole_integral_1d([0.3], g, 1.0, 0.2, lo=-10, hi=10)
    assert abs((no - un)[0] - 0.1 * math.log(4 * math.pi * 0.2)) < 1e-13


def test_quadrature_small_eps_stays_finite():
    u = hopf_cole_integral_1d([0.0, 1.0], lambda y: y**2 / 2 + 50.0, 1.0, 1e-4, lo=-5, hi=5)
    assert np.all(np.isfinite(u))
    assert np.abs(u - (50 + np.array([0.0, 1.0]) / 6 + 0.5e-4 * math.log(3))).max() < 1e-9


def test_quadrature_rejects_bad_input():
    with pytest.raises(ValueError):
        hopf_cole_integral_1d(0.0, abs, 1.0, 0.0, lo=-1, hi=1)
    with pytest.raises(ValueError):
        hopf_cole_integral_1d(0.0, abs, 1.0, 0.1, lo=1, hi=-1)
    with pytest.raises(TypeError):
        hopf_cole_integral_1d(0.0, 3.0, 1.0, 0.1, lo=-1, hi=1)


def test_burgers_residual_vanishes_for_the_viscous_shock():
    def v(x, t):
        u = viscous_shock(x, t, 0.1, 1.0, -1.0)
        return torch.autograd.grad(u.sum(), x, create_graph=True)[0]

    x = np.linspace(-2, 2, 41)
    assert np.abs(burgers_residual(v, x, 0.8, 0.1)).max() < 1e-12


def test_burgers_residual_detects_a_non_solution():
    B = burgers_residual(lambda x, t: torch.sin(x) * t, np.linspace(-1, 1, 11), 1.0, 0.1)
    x = np.linspace(-1, 1, 11)
    expected = np.sin(x) + 2 * np.sin(x) * np.cos(x) + 0.1 * np.sin(x)   # t = 1
    assert np.abs(B - expected).max() < 1e-13


def test_burgers_holds_for_the_unnormalized_discrete_sum():
    y = torch.tensor([-1.5, -0.5, 0.5, 1.5], dtype=torch.float64)
    g = torch.tensor([1.0, 0.3, 0.3, 1.0], dtype=torch.float64)
    B = burgers_residual(lambda x, t: hjlib.hopf_cole_grad(x, y, g, t, 0.3), np.linspace(-2, 2, 50), 1.0, 0.3)
    assert np.abs(B).max() < 1e-12


def test_observed_order():
    h = np.array([0.1, 0.05, 0.025, 0.0125])
    assert abs(observed_order(h, 3 * h**1.5) - 1.5) < 1e-12
    assert abs(observed_order(h, h * (1 + 0.01 * h)) - 1.0) < 1e-2
    with pytest.raises(ValueError):
        observed_order([0.1], [0.2])
    with pytest.raises(ValueError):
        observed_order([0.1, 0.2], [0.0, 1.0])


def test_fd_solver_is_first_order_on_the_two_slope_shock():
    errs, hs = [], []
    for n in (151, 301, 601):
        x = np.linspace(-3, 3, n)
        u = hjlib.solve_hj_fd(lambda X: -np.abs(X), x, 0.5, 0.1)
        inner = np.abs(x) <= 1.5
        errs.append(np.abs(u - two_slope(x, 0.5, 0.1, 1.0, -1.0))[inner].max())
        hs.append(x[1] - x[0])
    assert 0.85 <= observed_order(hs, errs) <= 1.1
