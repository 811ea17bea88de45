"""hjlib.hopf: Hopf–Cole / Hopf–Lax / Gibbs weights / LSE bijection, both evaluation paths."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import hjlib
from hjlib import (gibbs_weights, hopf_cole, hopf_cole_grad, hopf_lax, initial_data, lse,
                   lse_params)

from hjlib_problems import PROBLEMS

F64 = torch.float64


def _data(d, M, n, seed=0, dtype=F64):
    gen = torch.Generator().manual_seed(seed)
    y = torch.randn(M, d, generator=gen, dtype=dtype)
    g = torch.rand(M, generator=gen, dtype=dtype)
    x = torch.randn(n, d, generator=gen, dtype=dtype) * 1.5
    return x, y, g


# ---------------------------------------------------------------------------------------------
# registry of exact problems x dtype x path
@pytest.mark.parametrize("path", ["dense", "chunked"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("prob", PROBLEMS, ids=repr)
def test_registry_against_exact(prob, dtype, path):
    cs = None if path == "dense" else 997
    w = None if prob.weights is None else prob.weights.astype(dtype)
    u = hopf_cole(prob.x.astype(dtype), prob.y.astype(dtype), prob.g.astype(dtype), prob.t,
                  prob.eps, weights=w, normalized=True, chunk_size=cs)
    assert isinstance(u, np.ndarray) and u.dtype == dtype
    assert u.shape == prob.u.shape
    err = np.max(np.abs(u.astype(np.float64) - prob.u))
    assert err <= prob.tol[np.dtype(dtype).name], (prob.name, err)


@pytest.mark.parametrize("prob", PROBLEMS[:3], ids=repr)
def test_registry_with_grad_paths_agree(prob):
    """With gradients on, dense autograd and the streaming Function give the same u and ∇u."""
    x = torch.tensor(prob.x, requires_grad=True)
    kw = dict(weights=None if prob.weights is None else torch.tensor(prob.weights), normalized=True)
    u1 = hopf_cole(x, torch.tensor(prob.y), torch.tensor(prob.g), prob.t, prob.eps, **kw)
    (g1,) = torch.autograd.grad(u1.sum(), x)
    u2 = hopf_cole(x, torch.tensor(prob.y), torch.tensor(prob.g), prob.t, prob.eps, chunk_size=7, **kw)
    (g2,) = torch.autograd.grad(u2.sum(), x)
    assert torch.allclose(u1, u2, rtol=0, atol=1e-13)
    assert torch.allclose(g1, g2, rtol=0, atol=1e-12)
    assert np.max(np.abs(u1.detach().numpy() - prob.u)) <= prob.tol["float64"]


# ---------------------------------------------------------------------------------------------
# identities (claims C1, C2, C3, C9, C10)
@pytest.mark.parametrize("d", [1, 2, 5])
@pytest.mark.parametrize("M", [4, 64])
@pytest.mark.parametrize("eps", [1e-2, 1e-1, 1.0, 10.0])
def test_lse_plus_hopf_cole_is_quadratic(d, M, eps):
    rng = np.random.default_rng(d * 100 + M)
    y = rng.normal(size=(M, d))
    g = rng.uniform(0, 1, M)
    x = rng.normal(size=(200, d))
    t = 1.0
    W, b = lse_params(y, g, t)
    f = lse(x @ W.T + b, eps)
    u = hopf_cole(x, y, g, t, eps)
    q = (x**2).sum(1) / (4 * t)
    err = np.abs(f + u - q)
    scale = np.maximum(1.0, np.abs(f) + np.abs(u) + q)   # the size of the terms that cancel
    assert np.max(err / scale) <= 4e-15


def test_identity_reproduces_section_4_1_table():
    t = 1.0
    y = np.array([-1.5, -0.5, 0.5, 1.5])
    g = np.array([1.0, 0.3, 0.3, 1.0])
    x = np.linspace(-2.5, 2.5, 500)
    W, b = lse_params(y, g, t)
    for eps in [1.0, 0.5, 0.2, 0.1, 0.05]:
        f = lse(x[:, None] * W + b, eps)
        err = np.max(np.abs(f + hopf_cole(x, y, g, t, eps) - x**2 / (4 * t)))
        assert err <= 2e-15


@pytest.mark.parametrize("shape", [(7, 3), (5,)])
def test_bijection_round_trip(shape):
    rng = np.random.default_rng(1)
    W = rng.normal(size=shape)
    b = rng.normal(size=shape[0])
    for t in (0.3, 1.0, 4.0):
        y, g = initial_data(W, b, t)
        W2, b2 = lse_params(y, g, t)
        assert np.max(np.abs(W2 - W)) <= 1e-14 and np.max(np.abs(b2 - b)) <= 1e-14
        y2, g2 = initial_data(*lse_params(y, g, t), t)
        assert np.max(np.abs(y2 - y)) <= 1e-14 and np.max(np.abs(g2 - g)) <= 1e-14


def test_training_step_is_step_on_initial_data():
    """C3: a step (ΔW, Δb) equals Δy = 2tΔW, Δg = −Δb − 2tW·ΔW − t|ΔW|²."""
    rng = np.random.default_rng(2)
    t, eps = 0.8, 0.2
    W, b = rng.normal(size=(6, 2)), rng.normal(size=6)
    dW, db = 1e-2 * rng.normal(size=(6, 2)), 1e-2 * rng.normal(size=6)
    y, g = initial_data(W, b, t)
    dy = 2 * t * dW
    dg = -db - 2 * t * (W * dW).sum(1) - t * (dW**2).sum(1)
    x = rng.normal(size=(50, 2))
    f_new = lse(x @ (W + dW).T + (b + db), eps)
    u_new = hopf_cole(x, y + dy, g + dg, t, eps)
    assert np.max(np.abs(f_new + u_new - (x**2).sum(1) / (4 * t))) <= 1e-12


def test_relu_from_hopf_lax_c9():
    t = 0.7
    x = np.linspace(-3, 3, 601)
    u0 = hopf_lax(x, np.array([0.0, 2 * t]), np.array([0.0, -t]), t)
    assert np.max(np.abs(x**2 / (4 * t) - u0 - np.maximum(x, 0))) <= 1e-14
    # verify.py Test 5 as coded (dense support on [0, 5], g = 0) does not give ReLU: error 2.0
    xs = np.linspace(-2, 2, 500)
    u_as_coded = hopf_lax(xs, np.linspace(0, 5, 1000), np.zeros(1000), 1.0)
    assert abs(np.max(np.abs(u_as_coded - np.maximum(xs, 0))) - 2.0) <= 1e-4   # printed as 2.0000


@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize("eps", [0.05, 0.7])
def test_gradient_identities_against_autograd(d, eps):
    x, y, g = _data(d, 9, 20, seed=d)
    t = 0.6
    x.requires_grad_(True)
    g.requires_grad_(True)
    u = hopf_cole(x, y, g, t, eps)
    gx, gg = torch.autograd.grad(u.sum(), (x, g))
    pi = gibbs_weights(x.detach(), y, g.detach(), t, eps)
    assert torch.allclose(gx, hopf_cole_grad(x.detach(), y, g.detach(), t, eps), rtol=0, atol=1e-12)
    # ∂u_i/∂g_j = π_ij, summed over i
    assert torch.allclose(gg, pi.sum(0), rtol=0, atol=1e-12)
    assert torch.allclose(pi.sum(1), torch.ones(20, dtype=F64), atol=1e-14)
    # Hessian: ∇²u = I/(2t) − Cov_π(y)/(4t²ε)
    for i in range(3):
        xi = x[i].detach()
        H = torch.autograd.functional.hessian(lambda z: hopf_cole(z[None], y, g.detach(), t, eps)[0], xi)
        p = pi[i]
        ybar = p @ y
        cov = (p[:, None] * (y - ybar)).T @ (y - ybar)
        H_formula = torch.eye(d, dtype=F64) / (2 * t) - cov / (4 * t * t * eps)
        assert torch.allclose(H, H_formula, rtol=0, atol=1e-10 * max(1.0, H_formula.abs().max().item()))


def test_weight_and_time_gradients():
    """∂u/∂t = −E_π|x−y|²/(4t²) (unnormalised) and ∂u/∂w_j = −ε π_j / w_j."""
    x, y, g = _data(2, 6, 5, seed=3)
    w = torch.rand(6, dtype=F64) + 0.5
    t = torch.tensor(0.9, dtype=F64, requires_grad=True)
    w.requires_grad_(True)
    eps = 0.3
    for cs in (None, 4):
        u = hopf_cole(x, y, g, t, eps, weights=w, chunk_size=cs)
        gt, gw = torch.autograd.grad(u.sum(), (t, w))
        pi = gibbs_weights(x, y, g, t.detach(), eps, weights=w.detach())
        cost = ((x[:, None] - y) ** 2).sum(-1)
        assert torch.allclose(gt, -(pi * cost).sum() / (4 * t.detach() ** 2), rtol=1e-12, atol=0)
        assert torch.allclose(gw, -eps * pi.sum(0) / w.detach(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("chunk", [None, 3])
def test_gradcheck(chunk):
    x, y, g = _data(2, 7, 5, seed=4)
    w = torch.rand(7, dtype=F64) + 0.2
    t = torch.tensor(0.8, dtype=F64)
    inputs = tuple(v.clone().requires_grad_(True) for v in (x, y, g, w, t))

    def fn(x, y, g, w, t):
        return hopf_cole(x, y, g, t, 0.4, weights=w, normalized=True, chunk_size=chunk)

    assert torch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-7)
    # per-point times
    tp = (torch.rand(5, dtype=F64) + 0.5).requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda x, y, g, t: hopf_cole(x, y, g, t, 0.4, chunk_size=chunk), (*inputs[:3], tp),
        eps=1e-6, atol=1e-7)


def test_gradgradcheck_dense():
    x, y, g = _data(1, 5, 4, seed=5)
    inputs = tuple(v.clone().requires_grad_(True) for v in (x, y, g))
    assert torch.autograd.gradgradcheck(lambda x, y, g: hopf_cole(x, y, g, 0.7, 0.3), inputs)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dense_and_chunked_agree(dtype):
    x, y, g = _data(3, 1000, 300, seed=6, dtype=dtype)
    ref = hopf_cole(x, y, g, 1.0, 0.1)
    tol = 1e-13 if dtype == F64 else 2e-5
    for cs in (1, 64, 333, 1000, 5000):
        assert torch.allclose(hopf_cole(x, y, g, 1.0, 0.1, chunk_size=cs), ref, rtol=0, atol=tol)


@pytest.mark.parametrize("offset", [1e3, 1e4])
def test_float32_far_from_origin(offset):
    """Centring keeps the |x|² − 2x·y + |y|² expansion accurate in float32 far from 0."""
    x64, y64, g64 = _data(4, 500, 200, seed=7)
    shift = torch.full((4,), offset, dtype=F64)
    x32, y32, g32 = (x64 + shift).float(), (y64 + shift).float(), g64.float()
    ref = hopf_cole(x32.double(), y32.double(), g32.double(), 1.0, 0.1)   # float64 on the same inputs
    for cs in (None, 128):
        u32 = hopf_cole(x32, y32, g32, 1.0, 0.1, chunk_size=cs)
        assert u32.dtype == torch.float32
        assert torch.max(torch.abs(u32.double() - ref)) <= 1e-5 * max(1.0, ref.abs().max().item())
    # the uncentred expansion would fail here: a witness that the test can fail
    naive = (x32.pow(2).sum(1, keepdim=True) - 2 * x32 @ y32.T + y32.pow(2).sum(1)) / 4 + g32
    naive_u = -0.1 * torch.logsumexp(-naive / 0.1, 1)
    assert torch.max(torch.abs(naive_u.double() - ref)) > 1e-2


# ---------------------------------------------------------------------------------------------
# limits and bounds (C6)
def test_hopf_cole_to_hopf_lax_rate():
    x, y, g = _data(2, 50, 100, seed=8)
    u0 = hopf_lax(x, y, g, 1.0)
    gaps = []
    for eps in np.logspace(-4, 0, 9):
        u = hopf_cole(x, y, g, 1.0, eps)
        gap = u0 - u
        assert gap.min() >= -1e-12 and gap.max() <= eps * math.log(50) + 1e-12
        gaps.append(gap.max().item())
    assert gaps == sorted(gaps)           # monotone in ε
    assert torch.equal(hopf_cole(x, y, g, 1.0, 0.0), u0)


def test_eps_zero_paths():
    x, y, g = _data(2, 30, 40, seed=9)
    u0, j = hopf_lax(x, y, g, 0.5, return_argmin=True)
    cost = g + ((x[:, None] - y) ** 2).sum(-1) / 2.0
    assert torch.allclose(u0, cost.min(1).values, atol=1e-13)
    assert torch.equal(j, cost.argmin(1))
    pi = gibbs_weights(x, y, g, 0.5, 0.0)
    assert torch.equal(pi, torch.nn.functional.one_hot(j, 30).to(F64))
    v = hopf_cole_grad(x, y, g, 0.5, 0.0)
    assert torch.allclose(v, (x - y[j]) / 1.0, atol=1e-13)
    assert torch.equal(hopf_cole(x, y, g, 0.5, 0.0, normalized=True), hopf_cole(x, y, g, 0.5, 0.0))


def test_no_nan_in_hard_cases():
    x = torch.linspace(-3, 3, 11, dtype=F64)
    y = torch.tensor([-1.0, 0.0, 1.0], dtype=F64)
    for cs in (None, 2):
        # huge g, +inf g (atom removed), zero weight, tiny eps, all-equal costs
        u = hopf_cole(x, y, torch.tensor([1e300, 0.0, math.inf], dtype=F64), 1.0, 1e-3, chunk_size=cs)
        assert torch.isfinite(u).all()
        assert torch.allclose(u, x**2 / 4, atol=1e-12)
        u = hopf_cole(x, y, torch.zeros(3, dtype=F64), 1.0, 0.5,
                      weights=torch.tensor([0.0, 1.0, 0.0], dtype=F64), chunk_size=cs)
        assert torch.allclose(u, x**2 / 4, atol=1e-12)
        u = hopf_cole(torch.zeros(1, dtype=F64), y * 0, torch.zeros(3, dtype=F64), 1.0, 1e-300, chunk_size=cs)
        assert torch.allclose(u, torch.zeros(1, dtype=F64))
        for tiny in (1e-300, 5e-324):     # 1/eps overflows: max is subtracted before dividing
            u = hopf_cole(x, y, torch.zeros(3, dtype=F64), 1.0, tiny, chunk_size=cs)
            assert torch.allclose(u, hopf_lax(x, y, torch.zeros(3, dtype=F64), 1.0), atol=1e-12)
        assert torch.isfinite(gibbs_weights(x, y, torch.zeros(3, dtype=F64), 1.0, 1e-300)).all()
        u = hopf_cole(x, y, torch.full((3,), 1e8, dtype=F64), 1.0, 1e-8, chunk_size=cs)
        assert torch.isfinite(u).all()
        # all atoms removed: +inf, not NaN
        u = hopf_cole(x, y, torch.full((3,), math.inf, dtype=F64), 1.0, 0.1, chunk_size=cs)
        assert torch.isinf(u).all() and (u > 0).all()
    xg = x.clone().requires_grad_(True)
    u = hopf_cole(xg, y, torch.tensor([0.0, math.inf, 1.0], dtype=F64), 1.0, 1e-3, chunk_size=2)
    (gx,) = torch.autograd.grad(u.sum(), xg)
    assert torch.isfinite(gx).all()


# ---------------------------------------------------------------------------------------------
# property tests
_finite = st.floats(-5, 5, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(_finite, min_size=1, max_size=8), st.floats(-100, 100), st.floats(1e-3, 3.0),
       st.floats(-4, 4))
def test_shift_equivariance_in_g(g, c, eps, x):
    g = np.array(g)
    y = np.linspace(-2, 2, len(g))
    u = hopf_cole(np.array([x]), y, g, 0.7, eps)
    u_shift = hopf_cole(np.array([x]), y, g + c, 0.7, eps)
    assert abs(u_shift[0] - (u[0] + c)) <= 1e-12 * max(1.0, abs(c), abs(u[0]))


@settings(max_examples=40, deadline=None)
@given(st.lists(_finite, min_size=1, max_size=8), st.lists(st.floats(0, 3), min_size=8, max_size=8),
       st.floats(0.0, 2.0))
def test_monotone_in_g(g, bump, eps):
    g = np.array(g)
    g2 = g + np.array(bump[: len(g)])
    y = np.linspace(-2, 2, len(g))
    x = np.linspace(-3, 3, 13)
    assert np.all(hopf_cole(x, y, g2, 0.7, eps) >= hopf_cole(x, y, g, 0.7, eps) - 1e-12)


@settings(max_examples=30, deadline=None)
@given(st.permutations(list(range(6))), st.floats(0.0, 2.0))
def test_permutation_invariance(perm, eps):
    rng = np.random.default_rng(11)
    y, g, w = rng.normal(size=(6, 2)), rng.uniform(size=6), rng.uniform(0.1, 1, 6)
    x = rng.normal(size=(10, 2))
    p = np.array(perm)
    u = hopf_cole(x, y, g, 1.0, eps, weights=w)
    up = hopf_cole(x, y[p], g[p], 1.0, eps, weights=w[p])
    assert np.max(np.abs(u - up)) <= 1e-13


# ---------------------------------------------------------------------------------------------
# array rules and bad input
def test_array_rules():
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    g = np.array([0.0, 0.5])
    x = np.zeros((3, 4, 2))
    u = hopf_cole(x, y, g, 1.0, 0.1)
    assert isinstance(u, np.ndarray) and u.shape == (3, 4) and u.dtype == np.float64
    u32 = hopf_cole(x.astype(np.float32), y.astype(np.float32), g.astype(np.float32), 1.0, 0.1)
    assert u32.dtype == np.float32
    ui = hopf_cole(np.zeros((3, 2), dtype=int), np.array([[0, 1], [1, 0]]), [0, 1], 1, 0.1)
    assert ui.dtype == np.float64                      # integers are promoted to float64
    ut = hopf_cole(torch.zeros(5, 2), y, g, 1.0, 0.1)  # torch + numpy -> torch, dtypes promote
    assert isinstance(ut, torch.Tensor) and ut.dtype == torch.float64 and ut.shape == (5,)
    ut32 = hopf_cole(torch.zeros(5, 2), torch.tensor(y).float(), [0, 1], 1.0, 0.1)
    assert ut32.dtype == torch.float32          # lists do not take part in the promotion
    # 1-D data: x (...) with y (M,)
    u1 = hopf_cole(np.zeros((2, 3)), np.array([0.0, 1.0]), np.zeros(2), 1.0, 0.1)
    assert u1.shape == (2, 3)
    assert hopf_cole_grad(np.zeros((2, 3)), np.array([0.0, 1.0]), np.zeros(2), 1.0, 0.1).shape == (2, 3)
    assert hopf_cole_grad(x, y, g, 1.0, 0.1).shape == (3, 4, 2)
    assert gibbs_weights(x, y, g, 1.0, 0.1).shape == (3, 4, 2)


@pytest.mark.parametrize("kwargs, exc, msg", [
    (dict(eps=-1.0), ValueError, "eps must be a finite number >= 0, got -1.0"),
    (dict(eps=float("nan")), ValueError, "eps must be a finite number >= 0"),
    (dict(eps="a"), TypeError, "eps must be a finite number"),
    (dict(t=0.0), ValueError, "t must be a finite number > 0, got 0.0"),
    (dict(t=-1.0), ValueError, "t must be"),
    (dict(y=np.zeros((5, 2))), ValueError, r"x must have shape \(..., d\) with d == y.shape\[1\] == 2"),
    (dict(g=np.zeros(4)), ValueError, r"g must have shape \(M,\) with M == y.shape\[0\] == 3"),
    (dict(x=np.array([[np.nan, 0, 0]])), ValueError, "x must not contain NaN"),
    (dict(y=np.full((3, 3), np.inf)), ValueError, "y must be finite"),
    (dict(g=np.array([0.0, -np.inf, 0.0])), ValueError, "g must not contain -inf"),
    (dict(g=np.array([0.0, np.nan, 0.0])), ValueError, "g must not contain NaN"),
    (dict(y=np.zeros((0, 3)), g=np.zeros(0)), ValueError, "at least one point"),
    (dict(weights=np.array([1.0, -1.0, 1.0])), ValueError, "weights must be finite and >= 0"),
    (dict(weights=np.zeros(3)), ValueError, "at least one positive"),
    (dict(weights=np.ones(2)), ValueError, r"weights must have shape \(M,\)"),
    (dict(chunk_size=0), ValueError, "chunk_size must be a positive integer"),
    (dict(x=np.array([["a", "b", "c"]])), TypeError, "x must be an array-like of real numbers"),
    (dict(t=np.ones(7)), ValueError, "t must be a number or broadcastable"),
])
def test_bad_input(kwargs, exc, msg):
    args = dict(x=np.zeros((2, 3)), y=np.zeros((3, 3)), g=np.zeros(3), t=1.0, eps=0.1)
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        hopf_cole(**args)


def test_bad_input_other_functions():
    with pytest.raises(ValueError, match="t must be a finite number > 0"):
        lse_params(np.zeros((2, 2)), np.zeros(2), 0.0)
    with pytest.raises(ValueError, match=r"b must have shape \(M,\)"):
        initial_data(np.zeros((2, 2)), np.zeros(3), 1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        hopf_lax(np.zeros((2, 3)), np.zeros((4, 2)), np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="eps must be"):
        gibbs_weights(np.zeros((2, 1)), np.zeros((4, 1)), np.zeros(4), 1.0, -0.5)


def test_public_surface():
    expected = {"lse", "softmin", "gibbs_weights", "hopf_cole", "hopf_cole_grad", "hopf_lax",
                "lse_params", "initial_data", "LSELayer", "solve_hj_fd", "pde_residual", "exact"}
    assert set(hjlib.__all__) == expected
    for name in expected:
        obj = getattr(hjlib, name)
        assert obj.__doc__ and len(obj.__doc__) > 100, name
