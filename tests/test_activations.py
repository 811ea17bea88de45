"""hjlib.activations: softplus as LSE_ε(z, 0), ReLU initial data, the convexity-defect bound."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

import hjlib
from hjlib import activations
from hjlib.activations import convexity_defect, relu_initial_data, softplus


def test_doctests():
    assert doctest.testmod(activations).failed == 0


@pytest.mark.parametrize("eps", [1e-4, 1e-2, 0.3, 1.0, 7.0])
def test_softplus_is_two_entry_lse(eps):
    z = np.linspace(-50, 50, 1001)
    ref = eps * logsumexp(np.stack([z / eps, np.zeros_like(z)]), axis=0)
    assert np.allclose(softplus(z, eps), ref, rtol=1e-14, atol=1e-14 * eps)
    assert np.allclose(softplus(z, eps), hjlib.lse(np.stack([z, 0 * z], -1), eps), rtol=1e-14, atol=1e-15)


def test_softplus_gap_bound_and_extremes():
    z = np.linspace(-3, 3, 1001)          # contains 0
    for eps in [1.0, 0.1, 1e-3]:
        gap = softplus(z, eps) - np.maximum(z, 0)
        assert gap.min() >= 0 and abs(gap.max() - eps * np.log(2)) < 1e-15
    big = np.array([-1e300, -1e5, 1e5, 1e300])
    assert np.all(np.isfinite(softplus(big, 1e-3)))
    assert np.array_equal(softplus(big, 0.0), np.maximum(big, 0))
    assert softplus(np.array([1e5]), 1.0)[0] == 1e5


def test_softplus_torch_dtype_and_sigmoid_derivative():
    z = torch.linspace(-4, 4, 81, dtype=torch.float64, requires_grad=True)
    (dz,) = torch.autograd.grad(softplus(z, 0.5).sum(), z)
    assert torch.allclose(dz, torch.sigmoid(z / 0.5), atol=1e-14)
    assert softplus(torch.zeros(3, dtype=torch.float32), 1.0).dtype == torch.float32


def test_softplus_rejects_bad_eps():
    with pytest.raises(ValueError):
        softplus(np.zeros(2), -1.0)


@pytest.mark.parametrize("t", [0.25, 1.0, 3.0])
def test_relu_initial_data_exact(t):
    y, g = relu_initial_data(t)
    x = np.linspace(-5, 5, 1001)
    f0 = x**2 / (4 * t) - hjlib.hopf_lax(x, y, g, t)
    assert np.abs(f0 - np.maximum(x, 0)).max() <= 1e-14 * max(1, 25 / t)
    for eps in [0.05, 0.5]:
        f = x**2 / (4 * t) - hjlib.hopf_cole(x, y, g, t, eps)
        assert np.abs(f - softplus(x, eps)).max() < 1e-12 * max(1, 25 / t)
    W, b = hjlib.lse_params(y, g, t)
    assert np.allclose(W, [0, 1]) and np.allclose(b, [0, 0], atol=1e-15)


def test_relu_initial_data_direction():
    w = np.array([0.5, -2.0, 1.0])
    y, g = relu_initial_data(2.0, w)
    assert y.shape == (2, 3) and g.shape == (2,)
    x = np.random.default_rng(0).standard_normal((50, 3)) * 3
    f0 = (x**2).sum(-1) / 8 - hjlib.hopf_lax(x, y, g, 2.0)
    assert np.abs(f0 - np.maximum(x @ w, 0)).max() < 1e-13
    with pytest.raises(ValueError):
        relu_initial_data(1.0, np.ones((2, 2)))
    with pytest.raises(ValueError):
        relu_initial_data(0.0)


def test_convexity_defect_zero_for_convex_and_exact_for_concave():
    z = np.linspace(-2, 2, 41)
    assert convexity_defect(z, z**2)[0] <= 1e-12
    assert convexity_defect(z, softplus(z, 0.3))[0] <= 1e-12
    delta, (a, b, c) = convexity_defect(z, -z**2)
    assert abs(delta - 4.0) < 1e-12 and (a, b, c) == (-2.0, 0.0, 2.0)


def test_convexity_defect_is_a_valid_lower_bound():
    """No convex function is closer than δ/2: try the best LSE fits we can find by brute force."""
    z = np.linspace(-8, 4, 121)
    silu = z / (1 + np.exp(-z))
    delta, _ = convexity_defect(z, silu)
    assert delta > 0.09
    rng = np.random.default_rng(1)
    for _ in range(200):                 # random convex candidates: maxima of affine pieces
        W, b = rng.normal(size=4) * 0.5, rng.normal(size=4) * 0.2
        phi = np.max(np.outer(z, W) + b, axis=1)
        assert np.abs(phi - silu).max() >= delta / 2 - 1e-12


def test_convexity_defect_validates_input():
    with pytest.raises(ValueError):
        convexity_defect([0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError):
        convexity_defect([0.0, 2.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError):
        convexity_defect([0.0, 1.0, 2.0], [0.0, np.nan, 2.0])
