"""hjlib.LSELayer and hjlib.pde_residual (claims C1, C4, C10)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hjlib import LSELayer, exact, gibbs_weights, hopf_cole, lse, pde_residual

F64 = torch.float64


def test_layer_forward_and_initial_data():
    torch.manual_seed(0)
    layer = LSELayer(3, 16, eps=0.2, dtype=F64)
    x = torch.randn(10, 3, dtype=F64)
    z = x @ layer.weight.T + layer.bias
    assert torch.allclose(layer(x), lse(z, 0.2), atol=1e-14)
    for t in (0.5, 2.0):
        y, g = layer.initial_data(t=t)
        f = layer(x)
        u = hopf_cole(x, y, g, t, 0.2)
        assert torch.max(torch.abs(f + u - (x**2).sum(1) / (4 * t))) <= 1e-14
    # set / read round trip and the classmethod
    y0, g0 = torch.randn(16, 3, dtype=F64), torch.rand(16, dtype=F64)
    layer.set_initial_data(y0, g0, t=0.7)
    y1, g1 = layer.initial_data(t=0.7)
    assert torch.allclose(y1, y0, atol=1e-14) and torch.allclose(g1, g0, atol=1e-14)
    layer2 = LSELayer.from_initial_data(y0, g0, 0.2, t=0.7)
    assert torch.allclose(layer2(x), layer(x), atol=1e-14)
    # ε = 0: tropical max
    layer.eps = 0.0
    assert torch.equal(layer(x), (x @ layer.weight.T + layer.bias).amax(-1))
    # batch dims lead
    assert layer(torch.randn(2, 5, 3, dtype=F64)).shape == (2, 5)


def test_layer_gradients_c10():
    torch.manual_seed(1)
    eps = 0.3
    layer = LSELayer(2, 5, eps=eps, dtype=F64)
    x = torch.randn(2, dtype=F64, requires_grad=True)
    f = layer(x)
    gx, gW, gb = torch.autograd.grad(f, (x, layer.weight, layer.bias), create_graph=True)
    pi = layer.gibbs_weights(x.detach())
    W = layer.weight.detach()
    assert torch.allclose(gb, pi, atol=1e-12)
    assert torch.allclose(gW, pi[:, None] * x.detach(), atol=1e-12)
    assert torch.allclose(gx, pi @ W, atol=1e-12)
    H = torch.stack([torch.autograd.grad(gx[k], x, retain_graph=True)[0] for k in range(2)])
    Wbar = pi @ W
    cov = (pi[:, None] * (W - Wbar)).T @ (W - Wbar)
    assert torch.allclose(H, cov / eps, atol=1e-10)
    # same Gibbs weights in the Hopf–Cole picture
    y, g = layer.initial_data(t=1.0)
    assert torch.allclose(gibbs_weights(x.detach()[None], y, g, 1.0, eps)[0], pi, atol=1e-13)


def test_layer_bad_input():
    with pytest.raises(ValueError, match="eps must be a finite number >= 0, got -0.1"):
        LSELayer(2, 3, eps=-0.1)
    layer = LSELayer(2, 3, eps=0.1)
    with pytest.raises(ValueError, match="eps must be"):
        layer.eps = float("inf")
    with pytest.raises(ValueError, match="width must be a positive integer"):
        LSELayer(2, 0, eps=0.1)
    with pytest.raises(ValueError, match=r"x must have shape \(..., in_features\) with in_features == 2"):
        layer(torch.zeros(4, 3))
    with pytest.raises(ValueError, match=r"y must have shape \(width, in_features\)"):
        layer.set_initial_data(torch.zeros(4, 2), torch.zeros(3))
    with pytest.raises(ValueError, match="t must be a finite number > 0"):
        layer.initial_data(t=0.0)


# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3])
def test_residual_of_discrete_hopf_cole(d):
    """C4: unnormalised sum has residual −εd/(2t); normalised has residual 0."""
    gen = torch.Generator().manual_seed(d)
    y = torch.randn(7, d, generator=gen, dtype=F64)
    g = torch.rand(7, generator=gen, dtype=F64)
    x = torch.randn(40, d, generator=gen, dtype=F64)
    t = torch.rand(40, generator=gen, dtype=F64) + 0.3
    for eps in (0.05, 0.3, 2.0):
        R = pde_residual(lambda x, t: hopf_cole(x, y, g, t, eps), x, t, eps)
        assert torch.max(torch.abs(R + eps * d / (2 * t))) <= 1e-10
        R0 = pde_residual(lambda x, t: hopf_cole(x, y, g, t, eps, normalized=True), x, t, eps)
        assert torch.max(torch.abs(R0)) <= 1e-10


def test_residual_reproduces_0_15():
    """verify.py Test 3: ε = 0.3, d = 1, t = 1 — residual 0.15 without the source term."""
    y = np.array([-1.5, -0.5, 0.5, 1.5])
    g = np.array([1.0, 0.3, 0.3, 1.0])
    x = np.linspace(-2, 2, 400)
    R = pde_residual(lambda x, t: hopf_cole(x, torch.tensor(y), torch.tensor(g), t, 0.3), x, 1.0, 0.3)
    assert isinstance(R, np.ndarray) and R.shape == (400,)
    assert np.max(np.abs(R + 0.15)) <= 1e-12
    assert abs(np.max(np.abs(R)) - 0.15) <= 1e-12


@pytest.mark.parametrize("name", ["quadratic", "two_slope_rare", "two_slope_shock", "viscous_shock", "point"])
def test_exact_solutions_have_zero_residual(name):
    eps = 0.25
    x = torch.linspace(-2, 2, 41, dtype=F64)
    t = torch.full((41,), 0.6, dtype=F64) + 0.4 * torch.rand(41, dtype=F64)
    yp, gp = torch.tensor([-1.0, 0.3, 1.2], dtype=F64), torch.tensor([0.2, 0.0, -0.4], dtype=F64)
    fn = {
        "quadratic": lambda x, t: exact.quadratic(x[:, None], t, eps, 1.3),
        "two_slope_rare": lambda x, t: exact.two_slope(x, t, eps, -1.0, 0.5),
        "two_slope_shock": lambda x, t: exact.two_slope(x, t, eps, 1.0, -1.0),
        "viscous_shock": lambda x, t: exact.viscous_shock(x, t, eps, 1.5, -0.5),
        "point": lambda x, t: exact.point_supported(x, t, eps, yp, gp),
    }[name]
    R = pde_residual(fn, x, t, eps)
    assert torch.max(torch.abs(R)) <= 1e-10
    # the residual is not blind: the wrong viscosity leaves a visible residual
    assert torch.max(torch.abs(pde_residual(fn, x, t, 2 * eps))) > 1e-3


def test_residual_bad_input():
    with pytest.raises(ValueError, match=r"t must be a number or have shape \(N,\)"):
        pde_residual(lambda x, t: x.sum(1), np.zeros((3, 2)), np.ones(2), 0.1)
    with pytest.raises(ValueError, match="u_fn"):
        pde_residual(lambda x, t: x, np.zeros((3, 2)), 1.0, 0.1)


@pytest.mark.parametrize("module", ["logsumexp", "hopf", "layers", "residual", "exact", "finite_difference"])
def test_docstring_examples(module):
    import doctest
    import importlib
    mod = importlib.import_module(f"hjlib.{module}")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
