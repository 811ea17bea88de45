"""hjlib.pontryagin: hand-written co-states against torch autograd, the Neural-ODE limit, LQ value."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch

import hjlib
from hjlib import pontryagin as P


def test_doctests():
    res = doctest.testmod(P, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 8


def _net(seed=0, K=8, d=3, scale=1.0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(d), scale * rng.standard_normal((K, d, d)),
            0.5 * rng.standard_normal((K, d)), rng.standard_normal(d))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_costates_and_gradients_match_autograd(activation, seed):
    x0, A, c, xs = _net(seed)
    G = P.backprop_by_hand(x0, A, c, 0.25, xs, activation)
    R = P.autograd_gradients(x0, A, c, 0.25, xs, activation)
    assert abs(G.loss - R.loss) < 1e-13
    for name in ("x0", "A", "c", "xs", "ps"):
        assert np.max(np.abs(getattr(G, name) - getattr(R, name))) < 1e-12, name
    assert R.order == tuple(range(8, -1, -1))          # reverse mode visits x_K, …, x_0


def test_batch_gradients_are_sums_over_the_batch():
    x0, A, c, xs = _net(3)
    X0 = np.stack([x0, -x0, 0.3 * x0])
    G = P.backprop_by_hand(X0, A, c, 0.25, xs)
    singles = [P.backprop_by_hand(x, A, c, 0.25, xs) for x in X0]
    assert np.allclose(G.A, sum(s.A for s in singles), atol=1e-13)
    assert np.allclose(G.c, sum(s.c for s in singles), atol=1e-13)
    assert np.allclose(G.x0, np.stack([s.x0 for s in singles]), atol=1e-14)
    assert abs(G.loss - sum(s.loss for s in singles)) < 1e-13


def test_block_jacobian_matches_finite_differences():
    rng = np.random.default_rng(4)
    x, A, c = rng.standard_normal(3), rng.standard_normal((3, 3)), rng.standard_normal(3)
    J = P.block_jacobian(x, A, c)
    e = 1e-6
    fd = np.stack([(P.block(x + e * v, A, c) - P.block(x - e * v, A, c)) / (2 * e) for v in np.eye(3)], 1)
    assert np.max(np.abs(J - fd)) < 1e-8


def test_costates_are_jacobian_transposes():
    # p_k = (I + h J_F(x_k))ᵀ p_{k+1}, with J_F formed explicitly: the recursion is its product
    x0, A, c, xs = _net(5)
    G = P.backprop_by_hand(x0, A, c, 0.25, xs)
    for k in range(8):
        M = np.eye(3) + 0.25 * P.block_jacobian(G.xs[k], A[k], c[k])
        assert np.allclose(G.ps[k], M.T @ G.ps[k + 1], atol=1e-14)


def test_wrong_sign_or_missing_transpose_would_fail():
    x0, A, c, xs = _net(6)
    G = P.backprop_by_hand(x0, A, c, 0.25, xs)
    R = P.autograd_gradients(x0, A, c, 0.25, xs)
    assert np.max(np.abs(-G.ps - R.ps)) > 1e-3
    bad = P.costates(G.xs, np.transpose(A, (0, 2, 1)), c, 0.25, G.ps[-1])
    assert np.max(np.abs(bad - R.ps)) > 1e-3


def test_continuous_limit_first_order():
    rng = np.random.default_rng(7)
    A0, A1 = rng.standard_normal((2, 3, 3))
    c0 = rng.standard_normal(3)
    A_fn = lambda s: A0 + np.sin(s) * A1
    c_fn = lambda s: c0
    x0, xs, T = rng.standard_normal(3), rng.standard_normal(3), 1.0
    ca = P.continuous_adjoint(A_fn, c_fn, x0, T, xs)
    errs = []
    for K in (16, 32, 64, 128):
        A, c, h = P.sample_controls(A_fn, c_fn, K, T)
        G = P.backprop_by_hand(x0, A, c, h, xs)
        errs.append(np.max(np.abs(G.ps - ca.p(h * np.arange(K + 1)))))
    slope = np.polyfit(np.log([16, 32, 64, 128]), np.log(errs), 1)[0]
    assert abs(slope + 1) < 0.1
    assert ca.p(0.0).shape == (3,) and ca.x(np.array([0.0, 0.5])).shape == (2, 3)


def test_lq_value_solves_hj_and_matches_hopf_lax():
    Q = np.array([[2.0, 0.5], [0.5, 1.0]])
    ys = np.array([0.3, -0.2])
    x = np.random.default_rng(8).standard_normal((20, 2))
    for eps in (0.0, 0.3):
        R = hjlib.pde_residual(lambda xx, tt: P.lq_value(xx, tt, Q, ys, eps), x, 0.7, eps)
        assert np.max(np.abs(R)) < 1e-12
    # ε = 0: Hopf–Lax with the data g sampled on a fine grid (atoms) — an independent route
    g1 = np.linspace(-3, 3, 601)
    Y = np.stack(np.meshgrid(g1, g1, indexing="ij"), -1).reshape(-1, 2)
    gY = 0.5 * np.einsum("ni,ij,nj->n", Y - ys, Q, Y - ys)
    hl = hjlib.hopf_lax(x[:5] * 0.5, Y, gY, 0.7)
    assert np.max(np.abs(hl - P.lq_value(x[:5] * 0.5, 0.7, Q, ys))) < 1e-3
    # the gradient helper agrees with autograd of the torch path
    xt = torch.tensor(x, requires_grad=True)
    P.lq_value(xt, 0.7, Q, ys, 0.3).sum().backward()
    assert np.max(np.abs(xt.grad.numpy() - P.lq_value_grad(x, 0.7, Q, ys))) < 1e-13


def test_input_validation():
    with pytest.raises(ValueError, match="activation"):
        P.block(np.zeros(2), np.eye(2), np.zeros(2), "gelu")
    with pytest.raises(ValueError, match="shape"):
        P.resnet_forward(np.zeros(2), np.zeros((3, 2, 3)), np.zeros((3, 2)), 0.1)
    with pytest.raises(ValueError, match="h must"):
        P.resnet_forward(np.zeros(2), np.zeros((3, 2, 2)), np.zeros((3, 2)), -0.1)
    with pytest.raises(ValueError, match="positive semi-definite"):
        P.lq_value(np.zeros(2), 1.0, -np.eye(2), np.zeros(2))
    with pytest.raises(ValueError, match="K must"):
        P.sample_controls(lambda s: np.eye(2), lambda s: np.zeros(2), 0, 1.0)
