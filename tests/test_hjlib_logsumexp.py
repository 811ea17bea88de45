"""hjlib.lse / softmin: scipy.special.logsumexp-style special values, bounds, laws, properties."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from scipy.special import logsumexp as sp_lse

from hjlib import lse, softmin

mpmath = pytest.importorskip("mpmath")


def _mp_lse(z, eps, w=None):
    mpmath.mp.dps = 50
    w = np.ones_like(z) if w is None else w
    s = mpmath.fsum(mpmath.mpf(float(wi)) * mpmath.exp(mpmath.mpf(float(zi)) / mpmath.mpf(eps))
                    for zi, wi in zip(z, w) if wi > 0)
    return float(mpmath.mpf(eps) * mpmath.log(s))


@pytest.mark.parametrize("scale", [1e-10, 1e-3, 1.0, 1e3, 1e10])
@pytest.mark.parametrize("eps", [1e-3, 0.1, 1.0, 10.0])
def test_against_mpmath(scale, eps):
    rng = np.random.default_rng(int(scale * 0 + eps * 1000) % 2**31)
    z = rng.normal(size=30) * scale
    w = rng.uniform(0, 2, 30)
    w[::5] = 0.0
    for weights in (None, w):
        got = float(lse(z, eps, weights=weights))
        ref = _mp_lse(z, eps, weights)
        assert abs(got - ref) <= 1e-13 * max(abs(ref), eps)


def test_special_values():
    inf = math.inf
    assert lse(np.array([]), 1.0) == -inf                       # empty sum: log 0 (as scipy)
    assert lse(np.zeros((3, 0)), 0.0).tolist() == [-inf] * 3
    assert lse(np.array([inf, 1.0]), 0.5) == inf
    assert lse(np.array([-inf, -inf]), 0.5) == -inf
    assert lse(np.array([-inf, 0.0]), 0.5) == 0.0
    assert lse(np.array([-inf, 2.0]), 0.0) == 2.0
    assert lse(np.array([inf, -inf]), 0.3) == inf
    with pytest.raises(ValueError, match="z must not contain NaN"):
        lse(np.array([np.nan, 1.0]), 1.0)
    with pytest.raises(ValueError, match="eps must be a finite number >= 0, got -1.0"):
        lse(np.array([1.0]), -1.0)
    with pytest.raises(ValueError, match="weights must be finite and >= 0"):
        lse(np.array([1.0, 2.0]), 1.0, weights=np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="weights must be broadcastable"):
        lse(np.array([1.0, 2.0]), 1.0, weights=np.ones(3))
    with pytest.raises(ValueError, match="scalar"):
        lse(np.float64(1.0), 1.0)
    # magnitudes 1e±10 and huge/tiny eps
    assert lse(np.array([1e10, 1e10]), 1.0) == 1e10 + math.log(2)
    assert lse(np.array([-1e10, -1e10]), 1.0) == -1e10 + math.log(2)
    assert abs(lse(np.array([1e-10, 2e-10]), 1e-10) - _mp_lse(np.array([1e-10, 2e-10]), 1e-10)) <= 1e-23
    assert lse(np.array([1.0, 2.0]), 1e-300) == 2.0
    assert np.isfinite(lse(np.array([1e300, -1e300]), 1.0))
    assert math.isclose(lse(np.array([1.0, 2.0]), 1e300), 1e300 * math.log(2), rel_tol=1e-15)
    # many tiny terms: underflow of each exp must not lose the sum
    z = np.full(100_000, -1000.0)
    assert math.isclose(lse(z, 1.0), -1000.0 + math.log(1e5), rel_tol=1e-15)
    assert math.isclose(lse(z, 1.0), sp_lse(z), rel_tol=1e-15)
    # zero weight excludes the term, even paired with +inf
    assert lse(np.array([np.inf, 1.0]), 0.5, weights=np.array([0.0, 1.0])) == 1.0
    assert lse(np.array([5.0, 1.0]), 0.0, weights=np.array([0.0, 2.0])) == 1.0
    assert lse(np.array([1.0, 1.0]), 1.0, weights=np.array([0.0, 0.0])) == -inf
    # all-equal logits
    assert math.isclose(lse(np.full(7, 3.0), 0.2), 3.0 + 0.2 * math.log(7), rel_tol=1e-15)


def test_matches_scipy_with_weights_and_axes():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 5, 6))
    w = rng.uniform(0, 1, size=(5, 1))
    for dim in (0, 1, -1):
        got = lse(z, 1.0, dim=dim, weights=np.broadcast_to(w, z.shape))
        ref = sp_lse(z, axis=dim, b=np.broadcast_to(w, z.shape))
        assert np.max(np.abs(got - ref)) <= 1e-14
    assert np.max(np.abs(lse(z, 0.25, dim=1) - 0.25 * sp_lse(z / 0.25, axis=1))) <= 1e-14


def test_dtype_device_and_grad():
    z = torch.randn(3, 4, dtype=torch.float32, requires_grad=True)
    out = lse(z, 0.5)
    assert out.dtype == torch.float32 and out.shape == (3,)
    (gz,) = torch.autograd.grad(out.sum(), z)
    assert torch.allclose(gz, torch.softmax(z.detach() / 0.5, -1), atol=1e-6)
    assert lse(np.arange(4), 1.0).dtype == np.float64            # integers -> float64
    assert lse(np.ones(3, dtype=np.float32), 1.0).dtype == np.float32
    w = torch.rand(4, dtype=torch.float64, requires_grad=True)
    zz = torch.randn(4, dtype=torch.float64)
    (gw,) = torch.autograd.grad(lse(zz, 0.7, weights=w), w)   # ∂/∂w_j = ε e^{z_j/ε} / Σ
    ref = 0.7 * torch.exp(zz / 0.7) / (w.detach() * torch.exp(zz / 0.7)).sum()
    assert torch.allclose(gw, ref, rtol=1e-12)


@pytest.mark.parametrize("N", [2, 10, 1000])
def test_tropical_bounds(N):
    rng = np.random.default_rng(N)
    z = rng.normal(size=(50, N)) * 3
    m = z.max(1)
    for eps in np.logspace(-4, 1, 11):
        gap = lse(z, eps) - m
        assert gap.min() >= 0 and gap.max() <= eps * math.log(N) * (1 + 1e-12)
    assert np.array_equal(lse(z, 0.0), m)
    assert np.array_equal(softmin(z, 0.0), z.min(1))


def test_maslov_semiring_laws_and_activations():
    """C7, C8: ⊕_ε laws, softplus = LSE_ε(z, 0), sup|softplus_ε − ReLU| = ε log 2, sigmoid, tanh."""
    rng = np.random.default_rng(5)
    a, b, c = rng.normal(size=(3, 100))
    for eps in (0.01, 0.3, 2.0):
        op = lambda p, q: lse(np.stack([p, q], -1), eps)
        assert np.max(np.abs(c + op(a, b) - op(c + a, c + b))) <= 1e-13
        assert np.max(np.abs(op(op(a, b), c) - op(a, op(b, c)))) <= 1e-13
        assert np.max(np.abs(op(a, b) - op(b, a))) <= 1e-13
        gap = op(a, b) - np.maximum(a, b)
        assert gap.min() >= 0 and gap.max() <= eps * math.log(2) + 1e-15
        z = np.linspace(-3, 3, 1001)
        sp = lse(np.stack([z, 0 * z], -1), eps)
        assert np.max(np.abs(sp - eps * np.logaddexp(z / eps, 0))) <= 1e-13
        assert abs(np.max(np.abs(sp - np.maximum(z, 0))) - eps * math.log(2)) <= 1e-13  # z=0 on grid
    zt = torch.linspace(-4, 4, 101, dtype=torch.float64, requires_grad=True)
    (gs,) = torch.autograd.grad(lse(torch.stack([zt, 0 * zt], -1), 1.0).sum(), zt)
    assert torch.allclose(gs, torch.sigmoid(zt.detach()), atol=1e-13)
    pi = torch.softmax(torch.stack([zt, -zt], -1).detach(), -1)
    assert torch.allclose(pi[:, 0] - pi[:, 1], torch.tanh(zt.detach()), atol=1e-13)
    # verify.py Test 1 numbers (z on 1000 points of [−3, 3]): relative tolerance 1e-3
    z = np.linspace(-3, 3, 1000)
    for eps, ref in [(1, 0.6916), (0.5, 0.3451), (0.1, 0.06782), (0.01, 5.542e-3), (0.001, 4.845e-5)]:
        err = np.max(np.abs(lse(np.stack([z, 0 * z], -1), eps) - np.maximum(z, 0)))
        assert abs(err - ref) <= 1e-3 * ref


_z = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=12)


@settings(max_examples=50, deadline=None)
@given(_z, st.floats(-1e3, 1e3), st.floats(0.0, 10.0))
def test_shift_equivariance(z, c, eps):
    z = np.array(z)
    assert abs(lse(z + c, eps) - (lse(z, eps) + c)) <= 1e-9 * max(1.0, np.abs(z).max() + abs(c))


@settings(max_examples=50, deadline=None)
@given(_z, st.floats(0.0, 10.0), st.randoms(use_true_random=False))
def test_permutation_and_bounds(z, eps, rnd):
    z = np.array(z)
    p = list(range(len(z)))
    rnd.shuffle(p)
    v = lse(z, eps)
    assert v == pytest.approx(lse(z[p], eps), rel=1e-14, abs=1e-9)
    assert z.max() - 1e-9 * abs(z.max()) <= v <= z.max() + eps * math.log(len(z)) + 1e-9 * max(1, abs(z.max()))
    assert softmin(z, eps) == pytest.approx(-lse(-z, eps), rel=1e-15, abs=0)


@settings(max_examples=50, deadline=None)
@given(_z, st.lists(st.floats(0, 100), min_size=12, max_size=12), st.floats(0.0, 5.0))
def test_monotone(z, bump, eps):
    z = np.array(z)
    assert lse(z + np.array(bump[: len(z)]), eps) >= lse(z, eps) - 1e-9 * max(1.0, np.abs(z).max())
