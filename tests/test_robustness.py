"""hjlib.robustness: derivatives against autograd, bounds that must hold, trainer equivalence."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import hjlib
from hjlib import robustness as rb
from hjlib.training import fit_lse


def _autograd(x, W, b, eps, w2):
    f = lambda v: w2 * hjlib.lse(torch.as_tensor(W) @ v + torch.as_tensor(b), eps)
    xt = torch.as_tensor(x)
    return (torch.autograd.functional.jacobian(f, xt).numpy(),
            torch.autograd.functional.hessian(f, xt).numpy())


@pytest.mark.parametrize("d, eps, w2", [(1, 0.05, 1.0), (3, 0.3, -2.0), (6, 2.5, 0.7)])
def test_derivatives_match_autograd(d, eps, w2):
    rng = np.random.default_rng(d)
    W, b = rng.standard_normal((9, d)), rng.standard_normal(9)
    for x in rng.standard_normal((4, d)):
        g_ad, h_ad = _autograd(x, W, b, eps, w2)
        np.testing.assert_allclose(rb.lse_gradient(x, W, b, eps, w2)[0], g_ad, atol=1e-12)
        np.testing.assert_allclose(rb.lse_hessian(x, W, b, eps, w2)[0], h_ad, atol=1e-10)
        norm = np.abs(np.linalg.eigvalsh(h_ad)).max()
        np.testing.assert_allclose(rb.hessian_norm(x, W, b, eps, w2)[0], norm, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(rb.lse_value(x, W, b, eps, w2)[0],
                                   w2 * float(hjlib.lse(W @ x + b, eps)), rtol=1e-13)


def test_hessian_norm_depends_on_eps_beyond_the_prefactor():
    # guards against computing the Gibbs weights at the wrong temperature
    rng = np.random.default_rng(0)
    W, b, x = rng.standard_normal((10, 3)), rng.standard_normal(10), rng.standard_normal(3)
    h1, h2 = rb.hessian_norm(x, W, b, 0.1)[0], rb.hessian_norm(x, W, b, 1.0)[0]
    assert not np.isclose(h1, 10 * h2)


def test_bounds_hold_and_centred_is_translation_invariant():
    rng = np.random.default_rng(1)
    for trial in range(20):
        d = 1 + trial % 4
        W, b = 2 * rng.standard_normal((15, d)), rng.standard_normal(15)
        x = 3 * rng.standard_normal((50, d))
        eps, w2 = 10 ** rng.uniform(-2, 1), rng.uniform(-3, 3)
        h = rb.hessian_norm(x, W, b, eps, w2)
        bc, bp = rb.hessian_bound(W, eps, w2, centred=True), rb.hessian_bound(W, eps, w2)
        assert np.all(h <= bc * (1 + 1e-9)) and bc <= bp * (1 + 1e-9)
        shift = rng.standard_normal(d)
        assert np.isclose(rb.hessian_bound(W + shift, eps, w2, centred=True), bc, rtol=1e-6)
        assert np.all(np.linalg.norm(rb.lse_gradient(x, W, b, eps, w2), axis=1)
                      <= rb.gradient_bound(W, w2) * (1 + 1e-12))


def test_enclosing_radius_known_cases():
    R, c = rb.enclosing_radius(np.array([-1.0, 0.5, 3.0]))
    assert R == 2.0 and c[0] == 1.0
    ang = np.linspace(0, 2 * np.pi, 17)[:-1]
    R, c = rb.enclosing_radius(np.c_[np.cos(ang), np.sin(ang)] + [2.0, -1.0])
    assert abs(R - 1) < 1e-6 and np.allclose(c, [2.0, -1.0], atol=1e-5)
    # obtuse triangle: the ball is set by the longest side, not the circumcircle
    R, c = rb.enclosing_radius(np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 0.5]]))
    assert abs(R - 2) < 1e-6 and np.allclose(c, [2.0, 0.0], atol=1e-5)


def test_peak_height_is_the_centred_bound_in_1d():
    W, b = np.array([[-0.5], [0.5]]), np.zeros(2)
    eps = 0.05
    assert np.isclose(rb.hessian_norm(np.zeros(1), W, b, eps)[0], rb.hessian_bound(W, eps, centred=True))
    assert np.isclose(rb.hessian_bound(W, eps, centred=True), 1 / (4 * eps))


def test_extrapolation_gap_bound_and_tie():
    rng = np.random.default_rng(3)
    W, b, x = rng.standard_normal((8, 2)), rng.standard_normal(8), 4 * rng.standard_normal((200, 2))
    gap, bound, delta = rb.extrapolation_gap(x, W, b, 0.2)
    assert np.all(gap >= 0) and np.all(gap <= bound * (1 + 1e-12)) and np.all(delta >= 0)
    assert np.all(bound <= 0.2 * np.log(8) + 1e-12)
    gt, bt, _ = rb.extrapolation_gap(np.array([[2.0, 0, 0, 0]]), np.eye(4), np.zeros(4), 0.5)
    assert abs(gt[0] / bt[0] - 1) < 1e-12
    # far from a tie the gap is below machine epsilon relative to f, and must still be resolved
    gf, bf, _ = rb.extrapolation_gap(np.array([[40.0, 0.0, -5.0]]), np.eye(3), np.zeros(3), 1.0)
    assert np.isclose(gf[0], np.log1p(np.exp(-40.0) + np.exp(-45.0)), rtol=1e-12)
    assert np.isclose(bf[0], np.log1p(2 * np.exp(-40.0)), rtol=1e-12)


def test_authors_random_weight_numbers():
    gen = np.random.default_rng(3)
    W = gen.standard_normal((40, 8))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    x0 = gen.standard_normal(8)
    x0 /= np.linalg.norm(x0)
    eps = np.logspace(-1.3, 1, 60)
    meas = np.array([rb.hessian_norm(x0, W, np.zeros(40), e)[0] for e in eps])
    assert np.isclose((meas * eps).max(), 0.248, rtol=1e-3)
    assert np.isclose(meas[0], 1.844, rtol=1e-3) and np.isclose(meas[-1], 0.02209, rtol=1e-3)


X = np.linspace(-2, 2, 80)
Y = np.abs(X)


def test_fit_lse_eps_equals_fit_lse_per_eps():
    both = rb.fit_lse_eps(X, Y, width=5, eps=[0.1, 0.4], seeds=[0, 3], steps=120, lr=0.02)
    for e in (0.1, 0.4):
        alone = fit_lse(X, Y, width=5, eps=e, seeds=[0, 3], steps=120, lr=0.02)
        assert torch.allclose(both[e].W, alone.W, atol=1e-12, rtol=0)
        assert torch.allclose(both[e].b, alone.b, atol=1e-12, rtol=0)
        np.testing.assert_allclose(both[e].loss_history, alone.loss_history, rtol=1e-10)


def test_fit_lse_eps_minibatch_output_scale_equals_fit_lse():
    Xd = np.random.default_rng(0).standard_normal((64, 3))
    Yd = Xd[:, 0] ** 2
    both = rb.fit_lse_eps(Xd, Yd, width=7, eps=[0.3, 3.0], steps=40, lr=0.01, batch_size=16,
                          init_W=0.1, init_b=0.0, output_scale=True)
    alone = fit_lse(Xd, Yd, width=7, eps=3.0, steps=40, lr=0.01, batch_size=16, init_W=0.1,
                    init_b=0.0, output_scale=True)
    assert torch.allclose(both[3.0].W, alone.W, atol=1e-12, rtol=0)
    assert torch.allclose(both[3.0].w2, alone.w2, atol=1e-12, rtol=0)


def test_fit_lse_eps_bad_arguments():
    with pytest.raises(ValueError, match="eps must be"):
        rb.fit_lse_eps(X, Y, width=3, eps=[0.1, 0.0], steps=1)
    with pytest.raises(ValueError, match="one target per input"):
        rb.fit_lse_eps(X, Y[:-1], width=3, eps=[0.1], steps=1)


def test_load_digits_pca():
    Xtr, ytr, Xte, yte = rb.load_digits_pca(6, n_test=300, seed=1)
    assert Xtr.shape == (1497, 6) and Xte.shape == (300, 6)
    assert set(np.unique(ytr)) == set(range(10))
    np.testing.assert_allclose(Xtr.mean(axis=0), 0, atol=1e-12)
    var = Xtr.var(axis=0)
    assert np.all(np.diff(var) <= 1e-12)                 # principal components, in order
    again = rb.load_digits_pca(6, n_test=300, seed=1)
    np.testing.assert_array_equal(again[0], Xtr)
    with pytest.raises(ValueError):
        rb.load_digits_pca(0)
