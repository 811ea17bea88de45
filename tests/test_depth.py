"""hjlib.depth: stacked ε-softplus/LSE networks, the ε → 0 bound, the convex floor, batched training."""
from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import torch
from scipy.optimize import lsq_linear

from hjlib import depth
from hjlib.depth import StackedNet, convex_fit_1d, fit_batched, relu_limit_bound, softplus_mlp

W1 = np.array([[1.5], [-1.0], [0.8]])
B1 = np.array([0.3, 0.5, -0.4])
W2 = np.array([0.5, 0.5, 0.5])


def test_doctests():
    assert doctest.testmod(depth).failed == 0


def test_relu_net_at_eps_zero_and_claim_b_numbers():
    x = np.linspace(-2, 2, 500)
    relu = np.maximum(x[:, None] * W1[:, 0] + B1, 0) @ W2
    assert np.allclose(softplus_mlp(x, [(W1, B1)], (W2, 0.0), 0.0), relu, atol=0, rtol=0)
    # the authors' released code (verify.py, Test 4) gives these maxima
    targets = [0.3749, 0.1387, 0.06887, 0.03421, 6.491e-3, 3.417e-4]
    for eps, target in zip([0.5, 0.2, 0.1, 0.05, 0.01, 0.001], targets):
        err = np.abs(softplus_mlp(x, [(W1, B1)], (W2, 0.0), eps) - relu).max()
        assert abs(err - target) <= 1e-3 * target


def test_numpy_and_torch_agree_and_torch_is_differentiable():
    rng = np.random.default_rng(1)
    hidden = [(rng.standard_normal((4, 2)), rng.standard_normal(4)), (rng.standard_normal((3, 4)), rng.standard_normal(3))]
    readout = (rng.standard_normal((5, 3)), rng.standard_normal(5))
    x = rng.standard_normal((7, 2))
    a = softplus_mlp(x, hidden, readout, 0.3, kind="lse")
    xt = torch.tensor(x, requires_grad=True)
    b = softplus_mlp(xt, hidden, readout, 0.3, kind="lse")
    assert isinstance(b, torch.Tensor) and np.allclose(a, b.detach().numpy(), rtol=1e-13, atol=1e-13)
    b.sum().backward()
    assert xt.grad is not None and torch.isfinite(xt.grad).all()
    # ε = 0 with an LSE readout is the max readout
    h = x
    for A, c in hidden:
        h = np.maximum(h @ A.T + c, 0)
    assert np.allclose(softplus_mlp(x, hidden, readout, 0.0, kind="lse"), (h @ readout[0].T + readout[1]).max(1))


def test_shape_errors():
    with pytest.raises(ValueError, match="hidden layer 0"):
        softplus_mlp(np.zeros((3, 2)), [(W1, B1)], (W2, 0.0), 0.1)
    with pytest.raises(ValueError, match="kind"):
        softplus_mlp(np.zeros(3), [(W1, B1)], (W2, 0.0), 0.1, kind="relu")
    with pytest.raises(ValueError, match="eps"):
        relu_limit_bound([(W1, B1)], (W2, 0.0), -1.0)


@pytest.mark.parametrize("kind", ["linear", "lse"])
def test_bound_holds_on_random_deep_nets(kind):
    rng = np.random.default_rng(2)
    x = np.linspace(-3, 3, 2001)
    for trial in range(5):
        sizes = [1, 6, 5, 4]
        hidden = [(rng.standard_normal((o, i)), rng.standard_normal(o)) for i, o in zip(sizes[:-1], sizes[1:])]
        readout = (rng.standard_normal(4), 0.2) if kind == "linear" else (rng.standard_normal((3, 4)), rng.standard_normal(3))
        f0 = softplus_mlp(x, hidden, readout, 0.0, kind=kind)
        for eps in [0.5, 0.1, 0.01]:
            err = np.abs(softplus_mlp(x, hidden, readout, eps, kind=kind) - f0).max()
            bound = relu_limit_bound(hidden, readout, eps, kind=kind)
            assert err <= bound * (1 + 1e-12)
            assert err > 1e-3 * bound              # not vacuous by many orders of magnitude
        assert math.isclose(relu_limit_bound(hidden, readout, 0.2, kind=kind),
                            2 * relu_limit_bound(hidden, readout, 0.1, kind=kind), rel_tol=1e-12)


def test_bound_is_attained_when_the_kinks_coincide():
    # two units with the kink at the same x and positive output weights: error = Σ|w| ε log 2 at the kink
    hidden = [(np.array([[1.0], [-2.0]]), np.array([-0.5, 1.0]))]
    readout = (np.array([0.7, 0.3]), 0.0)
    x = np.array([0.5])
    err = softplus_mlp(x, hidden, readout, 0.1)[0] - softplus_mlp(x, hidden, readout, 0.0)[0]
    assert math.isclose(err, relu_limit_bound(hidden, readout, 0.1), rel_tol=1e-12)


def test_convex_fit_is_convex_optimal_and_idempotent():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-2, 2, 60))
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(60)
    fit = convex_fit_1d(x, y)
    slopes = np.diff(fit) / np.diff(x)
    assert np.all(np.diff(slopes) >= -1e-9)
    # independent solver (bounded least squares on the same parametrisation, unscaled)
    A = np.hstack([np.ones((60, 1)), x[:, None], np.maximum(x[:, None] - x[None, 1:-1], 0)])
    lb = np.r_[-np.inf, -np.inf, np.zeros(58)]
    ref = A @ lsq_linear(A, y, bounds=(lb, np.inf), method="bvls", tol=1e-13).x
    assert abs(np.linalg.norm(fit - y) - np.linalg.norm(ref - y)) < 1e-8
    assert np.allclose(convex_fit_1d(x, fit), fit, atol=1e-9)
    # no convex function beats it: e.g. random max-affine functions
    for _ in range(20):
        a, b = rng.standard_normal(5), rng.standard_normal(5)
        phi = (np.outer(x, a) + b).max(1)
        phi = phi + np.mean(y - phi)
        assert np.linalg.norm(phi - y) >= np.linalg.norm(fit - y) - 1e-12


def test_convex_floor_of_the_sine_target():
    x = np.linspace(-2, 2, 201)
    y = 0.8 * np.sin(3 * x)
    rmse = np.sqrt(np.mean((convex_fit_1d(x, y) - y) ** 2))
    assert abs(rmse - 0.497618) < 1e-5


def test_stacked_net_counts_and_matches_softplus_mlp():
    net = StackedNet(1, [10], width=4, eps=0.2, seeds=[0, 5])
    assert net.n_params_per_copy == 64
    assert StackedNet(1, (), width=32, eps=0.2).n_params_per_copy == 64
    x = torch.linspace(-2, 2, 33, dtype=torch.float64)[:, None]
    out = net(x).detach().numpy()
    for k in range(2):
        p = net.copy_params(k)
        ref = softplus_mlp(x.numpy(), p["hidden"], p["readout"], 0.2, kind=p["kind"])
        assert np.allclose(out[k], ref, rtol=1e-13, atol=1e-13)
    lin = StackedNet(1, [7], eps=0.2, readout="linear", seeds=[3])
    p = lin.copy_params(0)
    assert np.allclose(lin(x).detach().numpy()[0], softplus_mlp(x.numpy(), p["hidden"], p["readout"], 0.2))


def test_batched_training_equals_separate_training():
    x = np.linspace(-2, 2, 41)
    y = 0.8 * np.sin(3 * x)
    both = StackedNet(1, [5], width=3, eps=0.1, seeds=[0, 1])
    alone = StackedNet(1, [5], width=3, eps=0.1, seeds=[1])
    fb = fit_batched(both, x, y, steps=25, lr=0.01)
    fa = fit_batched(alone, x, y, steps=25, lr=0.01)
    for pb, pa in zip(both.parameters(), alone.parameters()):
        assert torch.allclose(pb[1], pa[0], rtol=1e-12, atol=1e-13)
    assert abs(fb.rmse[1] - fa.rmse[0]) < 1e-12
    assert fb.loss_history.shape == (2, 25) and fb.loss_history[:, -1].max() < fb.loss_history[:, 0].max()


def test_fit_restores_threads_and_validates():
    old = torch.get_num_threads()
    net = StackedNet(1, (), width=3, eps=0.1)
    fit_batched(net, np.zeros(4), np.zeros(4), steps=2, threads=1)
    assert torch.get_num_threads() == old
    with pytest.raises(ValueError, match="rows"):
        fit_batched(net, np.zeros(4), np.zeros(5), steps=2)
    with pytest.raises(ValueError, match="readout"):
        StackedNet(1, (), readout="relu")
