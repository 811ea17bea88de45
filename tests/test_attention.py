"""hjlib.attention: attention = ∇LSE (autograd), L2 attention = Hopf–Cole weights, Hopfield CCCP,
LSE-FFN = Hopf–Cole, the modules' shapes, masks, biases, and the toy task."""
from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import torch

import hjlib
from hjlib import attention as A

f64 = torch.float64


def test_doctests():
    res = doctest.testmod(A, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 6


@pytest.mark.parametrize("d", [2, 16, 64])
def test_attention_is_grad_of_lse(d):
    g = torch.Generator().manual_seed(d)
    Q, K, V = (torch.randn(3, n, m, generator=g, dtype=f64) for n, m in [(5, d), (7, d), (7, 4)])
    bias = torch.randn(3, 7, generator=g, dtype=f64)
    eps = math.sqrt(d)
    out, w = A.gibbs_attention(Q, K, V, eps, bias=bias)
    z = (Q @ K.transpose(-1, -2) + bias[:, None, :]).requires_grad_(True)
    (G,) = torch.autograd.grad(hjlib.lse(z, eps).sum(), z)
    assert (w - G).abs().max() < 1e-14
    assert (out - G @ V).abs().max() < 1e-13
    # a wrong temperature is detected by the same check
    w_wrong = A.attention_weights(Q, K, float(d), bias=bias)
    assert (w_wrong - G).abs().max() > 1e-3


def test_mask_and_rows_sum_to_one():
    g = torch.Generator().manual_seed(0)
    Q, K = torch.randn(4, 3, generator=g, dtype=f64), torch.randn(4, 3, generator=g, dtype=f64)
    mask = torch.ones(4, 4, dtype=torch.bool).tril()
    w = A.attention_weights(Q, K, 1.0, mask=mask)
    assert torch.all(w.triu(1) == 0)
    assert torch.allclose(w.sum(-1), torch.ones(4, dtype=f64), atol=1e-15)
    with pytest.raises(ValueError, match="at least one key"):
        A.attention_weights(Q, K, 1.0, mask=torch.zeros(4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="eps"):
        A.attention_weights(Q, K, 0.0)


@pytest.mark.parametrize("eps", [0.05, 0.3, 2.0])
@pytest.mark.parametrize("t", [0.5, 1.0])
def test_l2_attention_is_hopf_cole(eps, t):
    rng = np.random.default_rng(3)
    x, y, g = rng.standard_normal((20, 3)), rng.standard_normal((9, 3)), rng.uniform(0, 1, 9)
    w_l2 = A.l2_attention_weights(x, y, g, t, eps)
    k, b = A.l2_as_dot_product(y, g, t)
    w_dot = A.attention_weights(torch.as_tensor(x), k, eps, bias=b)
    w_hc = torch.as_tensor(hjlib.gibbs_weights(x, y, g, t, eps))
    assert (w_l2 - w_dot).abs().max() < 1e-13
    assert (w_l2 - w_hc).abs().max() < 1e-13
    # plain dot-product attention is Hopf–Cole with y = 2tk, g = −t|k|²
    kk = torch.as_tensor(rng.standard_normal((9, 3)))
    w_plain = A.attention_weights(torch.as_tensor(x), kk, eps)
    w_hc2 = A.l2_attention_weights(x, 2 * t * kk, -t * (kk ** 2).sum(-1), t, eps)
    assert (w_plain - w_hc2).abs().max() < 1e-13


def test_posterior_mean_is_tweedie():
    rng = np.random.default_rng(4)
    t, eps = 0.7, 0.4
    x = torch.tensor(rng.standard_normal((6, 2)), requires_grad=True)
    y, g = torch.tensor(rng.standard_normal((8, 2))), torch.tensor(rng.uniform(0, 1, 8))
    out, _ = A.l2_attention(x.detach(), y, y, g, t, eps)
    (gu,) = torch.autograd.grad(hjlib.hopf_cole(x, y, g, t, eps).sum(), x)
    assert (out - (x.detach() - 2 * t * gu)).abs().max() < 1e-13


def test_hopfield_energy_descent_and_hj_reading():
    rng = np.random.default_rng(5)
    X = torch.tensor(rng.standard_normal((10, 4)))
    for eps in [0.2, 1.0, 3.0]:
        xi = torch.tensor(rng.standard_normal(4))
        E_hc = hjlib.hopf_cole(xi[None], X, -0.5 * (X ** 2).sum(-1), 0.5, eps)
        assert abs(float(A.hopfield_energy(xi, X, eps)) - float(E_hc)) < 1e-12
        E = float(A.hopfield_energy(xi, X, eps))
        for _ in range(50):
            new = A.hopfield_step(xi, X, eps)
            E_new = float(A.hopfield_energy(new, X, eps))
            assert E_new <= E - 0.5 * float(((new - xi) ** 2).sum()) + 1e-12
            xi, E = new, E_new
        xr = xi.clone().requires_grad_(True)
        (gE,) = torch.autograd.grad(A.hopfield_energy(xr, X, eps), xr)
        assert gE.abs().max() < 1e-8


def test_entropy_and_regime():
    w = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.25] * 4, [0.5, 0.5, 0.0, 0.0]], dtype=f64)
    H = A.attention_entropy(w)
    assert torch.allclose(H, torch.tensor([0.0, 1.0, 0.5], dtype=f64), atol=1e-15)
    assert list(A.regime(H)) == ["particle", "wave", "mixed"]
    assert torch.allclose(A.attention_entropy(w, normalized=False)[1], torch.tensor(math.log(4), dtype=f64))


@pytest.mark.parametrize("eps", [0.05, 0.5, 1.0])
def test_lse_ffn_is_hopf_cole_after_layernorm(eps):
    torch.manual_seed(0)
    ffn = A.LSEFFN(8, 32, 3, eps=eps, dtype=f64)
    with torch.no_grad():
        ffn.weight.normal_()
        ffn.bias.normal_()
    x = torch.nn.functional.layer_norm(torch.randn(50, 8, dtype=f64), (8,), eps=1e-5)
    f = ffn(x)
    y, g = ffn.initial_data(1.0)
    for c in range(3):
        u = hjlib.hopf_cole(x, y[c], g[c], 1.0, eps)
        assert (f[:, c] + u - (x ** 2).sum(-1) / 4).abs().max() < 1e-12
    assert torch.allclose(ffn.gibbs_weights(x).sum(-1), torch.ones(50, 3, dtype=f64))


def test_modules_shapes_and_bias():
    torch.manual_seed(1)
    att = A.GibbsAttention(16, 4, causal=True, dtype=f64)
    x = torch.randn(2, 5, 16, dtype=f64)
    assert att(x).shape == (2, 5, 16)
    assert att.eps == 2.0 and att.last_weights.shape == (2, 4, 5, 5)
    assert torch.all(att.last_weights.triu(1) == 0)
    # a very negative bias on key 0 removes it from every row (except row 0, whose only key it is)
    att(x, key_bias=torch.tensor([-1e4, 0, 0, 0, 0], dtype=f64))
    assert att.last_weights[:, :, 1:, 0].max() < 1e-12
    att(x, key_bias=torch.zeros(2, 5, dtype=f64))
    with pytest.raises(ValueError):
        A.GibbsAttention(10, 3)
    l2 = A.L2Attention(torch.randn(6, 2, dtype=f64), torch.randn(6, 3, dtype=f64), t=1.0, eps=0.5)
    assert l2(torch.randn(4, 2, dtype=f64)).shape == (4, 3)
    m = A.TinyTransformer(5, 6, d_model=8, n_heads=2, ffn="gelu", n_out=7)
    assert m(torch.randint(0, 5, (3, 6))).shape == (3, 6, 7)
    assert len(m.attention_maps()) == 1
    with pytest.raises(ValueError):
        A.TinyTransformer(5, 6, ffn="relu")


def test_toy_reverse_task_learns():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    m = A.TinyTransformer(6, 5, d_model=16, n_heads=1, ffn=None)
    losses = A.train_sequence_model(m, lambda: A.reverse_batch(gen, 64, 5, 6), steps=150, lr=1e-2)
    assert losses[-1] < 0.2 * losses[0]
    x, y = A.reverse_batch(torch.Generator().manual_seed(9), 500, 5, 6)
    with torch.no_grad():
        acc = (m(x).argmax(-1) == y).float().mean()
    assert acc > 0.95
