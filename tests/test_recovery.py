"""hjlib.recovery: the exact step map, its Jacobian/metric, the Experiment A target and metric."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import hjlib
from hjlib.recovery import (
    experiment_a_data, induced_preconditioner, initial_data_jacobian, polish_lbfgs,
    run_experiment_a, step_initial_data, weighted_deviation,
)


@pytest.mark.parametrize("d", [1, 3])
def test_step_map_is_exact_for_finite_steps(d):
    rng = np.random.default_rng(d)
    W, b = rng.standard_normal((7, d)), rng.standard_normal(7)
    dW, db = rng.standard_normal((7, d)), rng.standard_normal(7)      # a large step on purpose
    t = 0.7
    y, g = hjlib.initial_data(W, b, t)
    dy, dg = step_initial_data(W, b, dW, db, t)
    y2, g2 = hjlib.initial_data(W + dW, b + db, t)
    np.testing.assert_allclose(y + dy, y2, atol=1e-13)
    np.testing.assert_allclose(g + dg, g2, atol=1e-13)
    # the linearisation alone misses exactly t|ΔW|²
    lin = -db - 2 * t * (W * dW).sum(-1)
    np.testing.assert_allclose(g + lin - g2, t * (dW ** 2).sum(-1), atol=1e-13)


def test_step_map_torch_and_1d_and_errors():
    W = torch.tensor([1.0, -0.5], dtype=torch.float64)
    dy, dg = step_initial_data(W, torch.zeros(2, dtype=torch.float64), 0.1 * W, torch.zeros(2, dtype=torch.float64), 1.0)
    assert isinstance(dy, torch.Tensor)
    assert torch.allclose(dg, -2 * W * 0.1 * W - (0.1 * W) ** 2)
    with pytest.raises(ValueError, match="t must be"):
        step_initial_data(W, W, W, W, 0.0)
    with pytest.raises(ValueError, match="shapes"):
        step_initial_data(np.zeros((2, 1)), np.zeros(2), np.zeros((3, 1)), np.zeros(2), 1.0)


def test_jacobian_matches_autograd_and_preconditioner_identity():
    rng = np.random.default_rng(0)
    W, t = rng.standard_normal((4, 2)), 0.8
    J = initial_data_jacobian(W, t)
    for j in range(4):
        def to_yg(p):
            return torch.cat([2 * t * p[:2], (-p[2] - t * (p[:2] ** 2).sum())[None]])
        p = torch.tensor(np.r_[W[j], 0.3])
        Ja = torch.autograd.functional.jacobian(to_yg, p).numpy()
        np.testing.assert_allclose(J[j], Ja, atol=1e-14)
    P = induced_preconditioner(W, t)
    np.testing.assert_allclose(np.linalg.det(P), (2 * t) ** 4, rtol=1e-12)
    np.testing.assert_allclose(P, np.swapaxes(P, 1, 2))
    # W = 0: P = diag(4t², 1)
    np.testing.assert_allclose(induced_preconditioner(np.zeros(1), 1.0)[0], np.diag([4.0, 1.0]))


def test_gradient_chain_rule_through_hopf_cole():
    """∇_(W,b) L computed through the network equals Jᵀ ∇_(y,g) L computed through the PDE form."""
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.uniform(-2, 2, 50), dtype=torch.float64)
    target = torch.abs(x)
    W = torch.tensor(rng.standard_normal((6, 1)), requires_grad=True)
    b = torch.tensor(rng.standard_normal(6), requires_grad=True)
    eps, t = 0.2, 1.0
    loss = ((hjlib.training.lse_predict(x[:, None], W, b, eps) - target) ** 2).mean()
    gW, gb = torch.autograd.grad(loss, (W, b))
    y0, g0 = hjlib.initial_data(W.detach(), b.detach(), t)
    y = y0.clone().requires_grad_(True)
    g = g0.clone().requires_grad_(True)
    f = x ** 2 / (4 * t) - hjlib.hopf_cole(x[:, None], y, g, t, eps)
    gy, gg = torch.autograd.grad(((f - target) ** 2).mean(), (y, g))
    J = initial_data_jacobian(W.detach(), t)
    grad_yg = np.concatenate([gy.numpy(), gg.numpy()[:, None]], axis=1)
    grad_wb = np.einsum("nij,ni->nj", J, grad_yg)
    np.testing.assert_allclose(grad_wb[:, 0], gW.numpy()[:, 0], atol=1e-13)
    np.testing.assert_allclose(grad_wb[:, 1], gb.numpy(), atol=1e-13)


def test_experiment_a_target_has_two_active_atoms():
    data = experiment_a_data()
    assert data["x"].shape == (400,) and data["f_star"].shape == (400,)
    np.testing.assert_array_equal(data["active"], [3, 4])          # y* = ±2/7
    np.testing.assert_allclose(data["f_star"], np.abs(data["x"]) / 7 - 15 / 49, atol=1e-14)


def test_weighted_deviation_values_and_errors():
    y = np.array([-1.0, 0.5, 2.0])
    g = np.array([1.5, 0.5, 1.0])               # deviations 0.5, 0, 1
    assert weighted_deviation(y, g, np.array([1.0, 1.0, 0.0])) == pytest.approx(0.25)
    pi = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert weighted_deviation(y, g, pi) == pytest.approx((0.25 * 0.5 + 0.5 * 1.0) / 1.0)
    assert weighted_deviation(y[:, None], g, pi) == pytest.approx(0.625)
    with pytest.raises(ValueError, match="one entry per neuron"):
        weighted_deviation(y, g, np.ones(2))
    with pytest.raises(ValueError, match="non-negative"):
        weighted_deviation(y, g, -np.ones(3))


def test_splitting_an_atom_shifts_g_by_eps_entropy():
    """m copies of one atom with shares ρ give the same network; δ̄ = ε H(ρ)."""
    eps, t = 0.1, 1.0
    x = np.linspace(-2, 2, 101)
    rho = np.array([0.5, 0.3, 0.2])
    y = np.array([0.4, 0.4, 0.4])
    g = np.abs(y) - eps * np.log(rho)
    one = hjlib.hopf_cole(x, y[:1], np.abs(y[:1]), t, eps)
    split = hjlib.hopf_cole(x, y, g, t, eps)
    np.testing.assert_allclose(split, one, atol=1e-13)
    pi = hjlib.gibbs_weights(x, y, g, t, eps)
    assert weighted_deviation(y, g, pi) == pytest.approx(-eps * np.sum(rho * np.log(rho)), rel=1e-12)


def test_polish_is_independent_per_run_and_lowers_loss():
    data = experiment_a_data(80)
    fit = hjlib.training.fit_lse(data["x"], data["f_star"], width=4, eps=0.2, steps=100, lr=0.01,
                                 seeds=[0, 1])
    W, b, mse = polish_lbfgs(data["x"], data["f_star"], fit.W, fit.b, 0.2, steps=50)
    assert np.all(mse <= fit.train_mse + 1e-15)
    W1, b1, mse1 = polish_lbfgs(data["x"], data["f_star"], fit.W[1:], fit.b[1:], 0.2, steps=50)
    assert torch.allclose(W1[0], W[1], atol=1e-12) and mse1[0] == pytest.approx(mse[1], rel=1e-10)


def test_run_experiment_a_small_setting_decreases_in_eps():
    res = run_experiment_a((0.5, 0.1), seeds=[0], steps=600, lbfgs_steps=200, n=200)
    assert [r.eps for r in res] == [0.5, 0.1]
    assert res[0].delta > res[1].delta > 0
    for r in res:
        assert r.mse < 2e-3 and r.max_fit_err < 0.2
        np.testing.assert_allclose(r.wbar.sum(), 1.0, atol=1e-12)
        assert r.y.shape == r.g.shape == (10,)


def test_split_decomposition_exact_for_copies_and_bounded():
    from hjlib.recovery import split_decomposition

    eps, t = 0.2, 1.0
    x = np.linspace(-2.4, 2.4, 200)
    # two merged atoms, slightly off the curve, split into 3 and 2 copies
    y = np.array([-0.4, -0.4, -0.4, 0.5, 0.5])
    rho = np.array([0.5, 0.3, 0.2, 0.9, 0.1])
    g_merged = np.array([0.43, 0.43, 0.43, 0.48, 0.48])          # |y| + 0.03, |y| − 0.02
    g = g_merged - eps * np.log(rho)
    pi = hjlib.gibbs_weights(x, y, g, t, eps)
    out = split_decomposition(y, g, pi.mean(0), eps, labels=y > 0)
    assert out["delta"] == pytest.approx(weighted_deviation(y, g, pi), rel=1e-12)
    np.testing.assert_allclose(out["g_merged"], [0.43, 0.48], atol=1e-12)
    np.testing.assert_allclose(out["y_merged"], [-0.4, 0.5], atol=1e-12)
    assert abs(out["delta"] - out["eps_H"]) <= out["merged"] + 1e-12
    assert 0 <= out["H"] <= np.log(3)
    # one cluster of identical atoms exactly on the curve: δ̄ = ε H exactly
    y1 = np.full(4, 0.3)
    r1 = np.array([0.4, 0.3, 0.2, 0.1])
    g1 = 0.3 - eps * np.log(r1)
    out1 = split_decomposition(y1, g1, r1, eps, labels=np.zeros(4))
    assert out1["merged"] < 1e-12
    assert out1["delta"] == pytest.approx(eps * -(r1 * np.log(r1)).sum(), rel=1e-12)
