"""hjlib.attribution: Gibbs-weight attribution, entropy and its derivatives, influence functions."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import hjlib
from hjlib import attribution as A


def _fd(fun, x, h):
    return (fun(x + h) - fun(x - h)) / (2 * h)


def test_two_cluster_data_matches_legacy_global_seed():
    state = np.random.get_state()
    try:
        np.random.seed(42)
        ref = np.vstack([np.random.randn(8, 2) * 0.4 + np.array([-1.0, -1.0]),
                         np.random.randn(8, 2) * 0.4 + np.array([1.0, 1.0])])
    finally:
        np.random.set_state(state)
    y, g = A.two_cluster_data()
    assert np.array_equal(y, ref)
    assert g.tolist() == [0.0] * 8 + [1.0] * 8


@pytest.mark.parametrize("q, row", [
    ((-1.0, -1.0), [1.2007, 1.6863, 2.0534, 2.3069, 2.6732, 2.7136, 2.7700]),
    ((0.0, 0.0), [0.3358, 0.6890, 1.6887, 2.6376, 2.7570, 2.7638, 2.7722]),
    ((1.0, 1.0), [0.7931, 1.8506, 2.3099, 2.6382, 2.7509, 2.7599, 2.7720]),
])
def test_entropy_table_of_the_released_code(q, row):
    y, g = A.two_cluster_data()
    got = [float(A.entropy_map(np.array(q), y, g, e)) for e in [0.01, 0.05, 0.25, 1.0, 3.0, 4.0, 20]]
    assert np.max(np.abs(np.array(got) - row)) < 1e-4


def test_entropy_stable_limits_and_ties():
    assert float(A.attribution_entropy([0.0, -1.0, -2.0], 1e-4)) == 0.0          # underflow: exact 0
    assert float(A.attribution_entropy([1e3, -1e3], 1e-3)) == 0.0
    assert abs(float(A.attribution_entropy([1.0, 1.0, -5.0], 1e-4)) - math.log(2)) < 1e-15
    assert abs(float(A.attribution_entropy(np.zeros(16), 3.0)) - math.log(16)) < 1e-14
    assert float(A.attribution_entropy([2.0, 2.0, 1.0], 0.0)) == pytest.approx(math.log(2))
    assert np.all(np.isfinite(A.attribution_entropy(np.random.default_rng(0).normal(size=(5, 7)) * 1e4, 1e-6)))
    with pytest.raises(ValueError):
        A.gibbs_log_weights([0.0, 1.0], -1.0)


def test_entropy_agrees_with_convex_entropy():
    from hjlib.convex import entropy

    s = np.random.default_rng(1).normal(size=(4, 9))
    p = np.exp(A.gibbs_log_weights(s, 0.7))
    np.testing.assert_allclose(A.attribution_entropy(s, 0.7), entropy(p), rtol=1e-13, atol=1e-14)


def test_entropy_eps_derivative_matches_fd_and_is_monotone():
    rng = np.random.default_rng(2)
    s = rng.normal(size=(6, 10))
    for eps in [0.05, 0.3, 1.0, 5.0]:
        h = 1e-5 * eps
        fd = _fd(lambda e: A.attribution_entropy(s, e), eps, h)
        np.testing.assert_allclose(A.entropy_eps_derivative(s, eps), fd, atol=1e-8)
    H = np.array([A.attribution_entropy(s, e) for e in np.logspace(-3, 3, 200)])
    assert np.all(np.diff(H, axis=0) >= -1e-12)


def test_entropy_gradient_matches_fd():
    y, g = A.two_cluster_data()
    rng = np.random.default_rng(3)
    for eps in [0.1, 0.25, 1.0]:
        for x in rng.uniform(-2, 2, size=(5, 2)):
            grad = A.entropy_gradient(x, y, g, eps)
            h = 1e-5
            fd = np.array([(A.entropy_map(x + h * e, y, g, eps) - A.entropy_map(x - h * e, y, g, eps)) / (2 * h)
                           for e in np.eye(2)])
            assert np.max(np.abs(grad - fd)) < 1e-8
    assert A.entropy_gradient(np.zeros((3, 4, 2)), y, g, 0.5).shape == (3, 4, 2)


def test_pi_is_the_bias_derivative_and_the_loo_formulas_are_exact():
    y, g = A.two_cluster_data()
    layer = hjlib.LSELayer.from_initial_data(torch.tensor(y), torch.tensor(g), eps=0.25)
    x = torch.tensor([[0.3, -0.2]], dtype=torch.float64)
    (gb,) = torch.autograd.grad(layer(x).sum(), layer.bias)
    pi = np.exp(A.gibbs_log_weights(A.attribution_scores(x.numpy()[0], y, g), 0.25))
    assert np.max(np.abs(gb.numpy() - pi)) < 1e-14
    f = hjlib.lse(A.attribution_scores(x.numpy()[0], y, g), 0.25)
    for j in range(16):
        keep = np.arange(16) != j
        f_j = hjlib.lse(A.attribution_scores(x.numpy()[0], y[keep], g[keep]), 0.25)
        assert abs((f - f_j) - A.loo_output_change(pi[j], 0.25)) < 1e-13
        ghat_j = pi[keep] @ g[keep] / pi[keep].sum()
        assert abs((pi @ g - ghat_j) - A.loo_prediction_change(pi, g)[j]) < 1e-13


def test_mean_entropy_crossing():
    y, g = A.two_cluster_data()
    level = 0.5 * math.log(16)
    e = A.mean_entropy_crossing(y, y, g, level)
    assert abs(A.entropy_map(y, y, g, e).mean() - level) < 1e-9
    with pytest.raises(ValueError):
        A.mean_entropy_crossing(y, y, g, 3.0)


def test_digits_two_class_shapes_and_centring():
    y, g, imgs = A.digits_two_class(3, 7, 60, seed=0)
    assert y.shape == (120, 2) and imgs.shape == (120, 8, 8) and g.sum() == 60
    assert np.max(np.abs(y.mean(0))) < 1e-12
    assert y[:, 0].var() >= y[:, 1].var()                   # first principal axis first


def _regression_problem():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-2, 2, 30))
    y = np.abs(x) + 0.3 * x + 0.15 * rng.standard_normal(30)
    return x, y


def test_risk_derivatives_match_autograd():
    from torch.autograd.functional import hessian

    x, y = _regression_problem()
    th = torch.tensor(np.random.default_rng(5).normal(size=10))
    xt, yt = torch.tensor(x)[:, None], torch.tensor(y)
    mask = np.ones(30)
    mask[4] = 0.0
    val, grad, H = A.risk_derivatives(th, x, y, 0.2, 1e-3, mask)
    fun = lambda p: A._risk(p, xt, yt, 0.2, 1e-3, torch.tensor(mask))  # noqa: E731
    t1 = th.clone().requires_grad_(True)
    (ga,) = torch.autograd.grad(fun(t1), t1)
    assert abs(val - fun(th).item()) < 1e-14
    assert np.max(np.abs(grad - ga.numpy())) < 1e-14
    assert np.max(np.abs(H - hessian(fun, th).numpy())) < 1e-13


def test_koh_liang_predicts_leave_one_out_retraining():
    x, y = _regression_problem()
    th, gn = A.train_lse_regression(x, y, 5, 0.2)
    assert gn < 1e-10
    kl, H = A.koh_liang_influence(th, x, y, [0.7], 0.2)
    assert torch.linalg.eigvalsh(H).min() > 0
    loo = A.loo_retrain_changes(th, x, y, [0.7], 0.2)
    assert A.spearman(kl, loo) > 0.98
    assert np.max(np.abs(kl - loo)) < 0.3 * np.max(np.abs(loo))
    pr = A.pi_routed_influence(th, x, y, [0.7], 0.2)
    assert pr.shape == (30,) and np.all(np.isfinite(pr))
