"""hjlib.tropical: Maslov addition, tropical polynomials, ReLU nets as F − G, piece counting."""
from __future__ import annotations

import numpy as np
import pytest

from hjlib import lse
from hjlib.tropical import (
    kinks_1d, kp_residual, kp_two_soliton, linear_pieces_1d, maslov_add, prune_1d, relu_net, relu_net_tropical,
    tropical_polynomial, tropical_product, tropical_scale, tropical_sum,
)

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("eps", [1e-3, 0.1, 1.0, 10.0])
def test_maslov_add_matches_lse_and_semiring_laws(eps):
    a, b, c = 3 * RNG.standard_normal((3, 500))
    ab = maslov_add(a, b, eps)
    assert np.allclose(ab, lse(np.stack([a, b], -1), eps), rtol=0, atol=1e-13)
    assert np.max(np.abs(ab - maslov_add(b, a, eps))) == 0.0
    assert np.max(np.abs(maslov_add(ab, c, eps) - maslov_add(a, maslov_add(b, c, eps), eps))) < 1e-13
    assert np.max(np.abs(c + ab - maslov_add(c + a, c + b, eps))) < 1e-13
    gap = ab - np.maximum(a, b)
    assert gap.min() >= 0 and gap.max() <= eps * np.log(2) + 1e-15
    assert np.allclose(maslov_add(a, a, eps) - a, eps * np.log(2), rtol=0, atol=1e-13)


def test_maslov_add_special_values():
    assert maslov_add(1.0, 3.0, 0.0) == 3.0
    assert maslov_add(1e300, -1e300, 1e-3) == 1e300
    assert maslov_add(1e308, 1e308, 1e-3) == pytest.approx(1e308, rel=1e-15)
    assert maslov_add(-np.inf, 2.0, 0.5) == 2.0
    assert maslov_add(-np.inf, -np.inf, 0.5) == -np.inf
    assert maslov_add(np.inf, -np.inf, 0.5) == np.inf
    with pytest.raises(ValueError):
        maslov_add(np.nan, 1.0, 0.5)
    with pytest.raises(ValueError):
        maslov_add(1.0, 1.0, -0.1)


def test_tropical_polynomial_factorisation_and_kinks():
    # (x ⊕ 2)(x ⊕ 0)(x ⊕ −1.5) = max(3x, 2x + 2, x + 2, 0.5): roots −1.5, 0, 2
    lin = lambda r: (np.array([1.0, 0.0]), np.array([0.0, r]))  # noqa: E731
    P = tropical_product(tropical_product(lin(2.0), lin(0.0)), lin(-1.5))
    a, c = prune_1d(P)
    assert np.array_equal(a, [0, 1, 2, 3]) and np.allclose(c, [0.5, 2, 2, 0])
    roots, jumps = kinks_1d(P)
    assert np.allclose(roots, [-1.5, 0, 2]) and np.allclose(jumps, 1)
    x = np.linspace(-5, 5, 1001)
    direct = np.maximum(x, 2) + np.maximum(x, 0) + np.maximum(x, -1.5)
    assert np.max(np.abs(tropical_polynomial(x, *P) - direct)) < 1e-13
    n, k = linear_pieces_1d(direct, x)
    assert n == 4 and np.allclose(k, [-1.5, 0, 2], atol=1e-9)
    # smoothing: 0 <= p_eps − p_0 <= eps log M (M = pruned number of terms)
    for eps in [0.01, 0.3]:
        gap = tropical_polynomial(x, a, c, eps) - direct
        assert gap.min() >= -1e-13 and gap.max() <= eps * np.log(4) + 1e-13


def test_prune_keeps_the_function_and_drops_dominated_terms():
    P = (np.array([0.0, 1.0, 2.0, 1.0, 1.0]), np.array([0.0, -5.0, 0.0, 0.5, 0.2]))
    a, c = prune_1d(P)
    assert np.array_equal(a, [0, 1, 2]) and np.allclose(c, [0, 0.5, 0])
    x = np.linspace(-3, 3, 301)
    assert np.allclose(tropical_polynomial(x, *P), tropical_polynomial(x, a, c), atol=0)
    # a term through the crossing point of its neighbours never strictly wins: dropped
    a2, _ = prune_1d((np.array([0.0, 1.0, 2.0]), np.array([0.0, 0.0, 0.0])))
    assert np.array_equal(a2, [0, 2])


def test_sum_scale_and_multivariate_evaluation():
    P = (np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.0, 1.0]))
    x = RNG.standard_normal((20, 2))
    assert np.allclose(tropical_polynomial(x, *P), np.maximum(x[:, 0], x[:, 1] + 1))
    S = tropical_sum(P, (np.zeros((1, 2)), np.array([0.0])))
    assert np.allclose(tropical_polynomial(x, *S), np.maximum(np.maximum(x[:, 0], x[:, 1] + 1), 0))
    D = tropical_scale(P, 3.0, shift=-1.0)
    assert np.allclose(tropical_polynomial(x, *D), 3 * tropical_polynomial(x, *P) - 1)
    with pytest.raises(ValueError):
        tropical_scale(P, -1.0)


@pytest.mark.parametrize("seed", range(5))
def test_relu_net_is_F_minus_G(seed):
    rng = np.random.default_rng(seed)
    widths = [1, 3, 4, 1]
    Ws = [rng.integers(-3, 4, (widths[k + 1], widths[k])) for k in range(3)]
    bs = [rng.integers(-2, 3, widths[k + 1]).astype(float) for k in range(3)]
    F, G = relu_net_tropical(Ws, bs)
    x = np.linspace(-6, 6, 4001)
    net = relu_net(x, Ws, bs)
    scale = 1 + np.abs(net).max()
    assert np.max(np.abs(tropical_polynomial(x, *F) - tropical_polynomial(x, *G) - net)) < 1e-14 * scale
    # integer weights -> integer slopes (tropical polynomials in the strict sense)
    assert np.array_equal(F[0], np.round(F[0])) and np.array_equal(G[0], np.round(G[0]))


def test_unpruned_construction_gives_the_same_function():
    Ws = [np.array([[1], [-1], [2]]), np.array([[1, 2, -1], [-2, 1, 1]]), np.array([[1, -3]])]
    bs = [np.array([0, 1, -2]), np.array([-1, 0]), np.array([0.5])]
    x = np.linspace(-4, 4, 801)
    net = relu_net(x, Ws, bs)
    F, G = relu_net_tropical(Ws, bs)
    F2, G2 = relu_net_tropical(Ws, bs, prune=False)
    assert len(F2[0]) > len(F[0]) and len(G2[0]) > len(G[0])
    for P, Q in [(F, G), (F2, G2)]:
        assert np.max(np.abs(tropical_polynomial(x, *P) - tropical_polynomial(x, *Q) - net)) < 1e-12


def test_relu_net_real_weights_and_shape_errors():
    Ws = [np.array([[0.7], [-1.3]]), np.array([[1.1, -0.4]])]
    bs = [np.array([0.2, 0.5]), np.array([-0.3])]
    F, G = relu_net_tropical(Ws, bs)
    x = np.linspace(-3, 3, 601)
    expected = 1.1 * np.maximum(0.7 * x + 0.2, 0) - 0.4 * np.maximum(-1.3 * x + 0.5, 0) - 0.3
    assert np.allclose(relu_net(x, Ws, bs), expected, atol=1e-14)
    assert np.allclose(tropical_polynomial(x, *F) - tropical_polynomial(x, *G), expected, atol=1e-13)
    with pytest.raises(ValueError):
        relu_net(x, [np.ones((2, 2))], [np.zeros(2)])


def test_linear_pieces_of_a_sawtooth():
    # tent map T(x) = relu(2x) − relu(4x − 2) on [0, 1]; T∘…∘T (L times) has 2^L pieces
    Ws = [np.array([[2.0], [4.0]])]
    bs = [np.array([0.0, -2.0])]
    for L in range(1, 6):
        layers_W = Ws + [np.array([[2.0, -2.0], [4.0, -4.0]])] * (L - 1) + [np.array([[1.0, -1.0]])]
        layers_b = bs + [np.array([0.0, -2.0])] * (L - 1) + [np.array([0.0])]
        x = np.linspace(0, 1, 2**10 + 1)
        n, kinks = linear_pieces_1d(relu_net(x, layers_W, layers_b), x)
        assert n == 2**L
        assert np.allclose(kinks, np.arange(1, 2**L) / 2**L, atol=1e-9)


def test_linear_pieces_kink_inside_cell():
    x = np.linspace(0, 1, 11)                    # kink at 0.33, inside a cell
    n, k = linear_pieces_1d(np.abs(x - 0.33), x)
    assert n == 2 and abs(k[0] - 0.33) < 1e-12
    n, _ = linear_pieces_1d(3 * x + 1, x)
    assert n == 1


def test_kp_two_soliton_solves_kp_and_A12_is_forced():
    pts = np.random.default_rng(1).uniform(-2, 2, (40, 3))
    W, b, A = kp_two_soliton([0.25, 1.5], [-1.0, 0.5], eta0=[0.3, -0.2])
    assert A == pytest.approx(3.0)
    assert kp_residual(W, b, pts) < 1e-12
    b_wrong = b.copy()
    b_wrong[3] = b[1] + b[2]                      # A12 = 1 instead of 3
    assert kp_residual(W, b_wrong, pts) > 1e-3
    # q = 0 (eta = kx + k^2 y + k^3 t): the formula gives A12 = 0, a resonant (Y-shaped) solution
    W0, b0, A0 = kp_two_soliton([0.5, 1.2], [0.0, 0.0])
    assert A0 == 0.0 and b0[3] == -np.inf
    assert kp_residual(W0[:3], b0[:3], pts) < 1e-12
    assert kp_residual(W0, np.r_[b0[:3], 0.0], pts) > 1e-3
    with pytest.raises(ValueError):
        kp_two_soliton([0.5, -1.0], [0.0, 0.25])
