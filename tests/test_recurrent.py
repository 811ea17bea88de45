"""Tests for hjlib.recurrent: gates as Gibbs weights, the LSE-gated LSTM cell, the heat SSM."""
import math

import numpy as np
import pytest
import torch

import hjlib
from hjlib.recurrent import (
    heat_ssm_hopf_cole, heat_steps, heat_transition, hippo_legs, log_ssm_step, lstm_cell_lse,
    numerical_hamiltonian, periodic_grid, periodic_laplacian, sigmoid_gate, tanh_gate,
)
from hjlib.viscous import observed_order

F64 = torch.float64


# ---------------------------------------------------------------------------------- gates
@pytest.mark.parametrize("eps", [1.0, 0.3, 4.0])
def test_sigmoid_gate_is_autograd_of_lse(eps):
    z = torch.linspace(-20, 20, 801, dtype=F64, requires_grad=True)
    pair = torch.stack([z, torch.zeros_like(z)], -1)
    (grad,) = torch.autograd.grad(hjlib.lse(pair, eps).sum(), z)
    assert (sigmoid_gate(z.detach(), eps) - grad).abs().max() < 1e-14
    assert (sigmoid_gate(z.detach(), eps) - torch.sigmoid(z.detach() / eps)).abs().max() < 1e-14


@pytest.mark.parametrize("eps", [1.0, 0.25])
def test_tanh_gate_is_signed_gibbs_weight(eps):
    z = torch.linspace(-15, 15, 601, dtype=F64, requires_grad=True)
    (grad,) = torch.autograd.grad(hjlib.lse(torch.stack([z, -z], -1), eps).sum(), z)
    assert (tanh_gate(z.detach(), eps) - grad).abs().max() < 1e-14
    assert (tanh_gate(z.detach(), eps) - torch.tanh(z.detach() / eps)).abs().max() < 1e-14


def test_gates_numpy_in_numpy_out_and_extremes():
    z = np.array([-1e4, -3.0, 0.0, 3.0, 1e4])
    s, th = sigmoid_gate(z), tanh_gate(z)
    assert isinstance(s, np.ndarray) and isinstance(th, np.ndarray)
    assert np.allclose(s, 1 / (1 + np.exp(-np.clip(z, -700, 700))), atol=1e-15)
    assert np.allclose(th, np.tanh(z), atol=1e-15)
    with pytest.raises(ValueError):
        sigmoid_gate(z, 0.0)


def test_gate_gradcheck():
    z = torch.randn(6, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: tanh_gate(v, 0.7), (z,))
    assert torch.autograd.gradcheck(lambda v: sigmoid_gate(v, 1.3), (z,))


# ---------------------------------------------------------------------------------- LSTM
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_cell_matches_torch(bias):
    torch.manual_seed(1)
    cell = torch.nn.LSTMCell(5, 3, bias=bias, dtype=F64)
    x, h, c = torch.randn(8, 5, dtype=F64), torch.randn(8, 3, dtype=F64), torch.randn(8, 3, dtype=F64)
    h1, c1 = lstm_cell_lse(x, h, c, cell.weight_ih, cell.weight_hh,
                           cell.bias_ih if bias else None, cell.bias_hh if bias else None)
    h2, c2 = cell(x, (h, c))
    assert (h1 - h2).abs().max() < 1e-13 and (c1 - c2).abs().max() < 1e-13


def test_lstm_cell_detects_wrong_shapes():
    cell = torch.nn.LSTMCell(2, 3, dtype=F64)
    with pytest.raises(ValueError):
        lstm_cell_lse(torch.zeros(1, 2, dtype=F64), torch.zeros(1, 2, dtype=F64), torch.zeros(1, 2, dtype=F64),
                      cell.weight_ih, cell.weight_hh[:, :2])   # 12 gate rows, hidden size 2


# ---------------------------------------------------------------------------------- heat SSM
def test_laplacian_and_transition_structure():
    L = periodic_laplacian(8, 2.0)
    assert np.allclose(L.sum(1), 0) and np.allclose(L, L.T)
    off = L - np.diag(np.diag(L))
    assert off.min() == 0 and L[0, -1] > 0                   # Metzler, periodic wrap
    dx = 2.0 / 8
    A = heat_transition(8, 2.0, 0.5, 0.4 * dx**2 / 0.5)      # r = 0.4
    assert A.min() >= 0 and np.allclose(A.sum(0), 1)
    A_bad = heat_transition(8, 2.0, 0.5, 0.6 * dx**2 / 0.5)  # r = 0.6: negative diagonal
    assert np.isclose(A_bad.min(), 1 - 2 * 0.6)
    E = heat_transition(16, 2.0, 0.5, 3.0, method="expm")    # any dt
    assert E.min() >= 0 and np.allclose(E.sum(0), 1)


def test_heat_steps_respects_r_max():
    K, dt = heat_steps(64, 2 * math.pi, 0.3, 1.0, r_max=0.4)
    dx = 2 * math.pi / 64
    assert 0.3 * dt / dx**2 <= 0.4 + 1e-12 and abs(K * dt - 1.0) < 1e-12
    with pytest.raises(ValueError):
        heat_steps(64, 1.0, 0.3, 1.0, r_max=0.6)


def _reference(x, eps, t=1.0):
    ya = np.arange(-5 * np.pi, 5 * np.pi, 0.004)
    return hjlib.hopf_cole(x, ya, np.cos(ya), t, eps, weights=np.full(ya.size, 0.004), normalized=True)


def test_heat_ssm_converges_to_viscous_hj_second_order():
    ns, errs = [32, 64, 128], []
    for n in ns:
        x = periodic_grid(n, 2 * np.pi, -np.pi)
        errs.append(np.abs(heat_ssm_hopf_cole(np.cos(x), 1.0, 0.2, 2 * np.pi) - _reference(x, 0.2)).max())
    assert errs[-1] < 4e-3
    assert 1.8 < observed_order(2 * np.pi / np.array(ns), errs) < 2.2


def test_heat_ssm_atomic_data_matches_point_supported():
    n, eps = 128, 0.2
    x = periodic_grid(n, 2 * np.pi, -np.pi)
    dx = 2 * np.pi / n
    g = np.full(n, np.inf)
    g[n // 2] = eps * math.log(dx)                 # unit mass at x = 0
    u = heat_ssm_hopf_cole(g, 1.0, eps, 2 * np.pi)
    m = np.abs(x) <= 1.5
    ex = hjlib.exact.point_supported(x[m], 1.0, eps, np.array([0.0]), np.array([0.0]))
    assert np.abs(u[m] - ex).max() < 1e-3


def test_expm_method_and_bad_method():
    x = periodic_grid(64, 2 * np.pi, -np.pi)
    u = heat_ssm_hopf_cole(np.cos(x), 1.0, 0.2, 2 * np.pi, method="expm")
    assert np.abs(u - _reference(x, 0.2)).max() < 2e-2
    with pytest.raises(ValueError):
        heat_ssm_hopf_cole(np.cos(x), 1.0, 0.2, 2 * np.pi, method="rk4")


def test_log_ssm_step_equals_log_of_linear_step():
    rng = np.random.default_rng(0)
    A = rng.uniform(0, 1, (5, 7))
    A[1, 2] = 0.0
    u = rng.normal(size=7) * 30
    eps = 0.5
    shift = u.min()
    ref = shift - eps * np.log(A @ np.exp(-(u - shift) / eps))
    assert np.allclose(log_ssm_step(A, u, eps), ref, atol=1e-12)
    with pytest.raises(ValueError):
        log_ssm_step(-A, u, eps)


def test_numerical_hamiltonian_is_exact_for_the_semi_discrete_equation():
    n, length, eps = 40, 2 * np.pi, 0.3
    x = periodic_grid(n, length, -np.pi)
    dx = length / n
    u = np.cos(x) + 0.3 * np.sin(2 * x)
    w = np.exp(-u / eps)
    ut = -eps * (eps * periodic_laplacian(n, length) @ w) / w     # d/dt(-eps log w)
    pp = (np.roll(u, -1) - u) / dx
    pm = (u - np.roll(u, 1)) / dx
    assert np.abs(ut + numerical_hamiltonian(pp, pm, eps, dx)).max() < 1e-10
    p = np.array([0.5, 1.0, 2.0])
    assert np.allclose(numerical_hamiltonian(p, p, eps, 1e-4), p**2, rtol=1e-6)


def test_hippo_legs_not_metzler():
    A = hippo_legs(4)
    assert A[0, 0] == -1 and A[3, 3] == -4 and np.isclose(A[1, 0], -math.sqrt(3)) and A[0, 1] == 0
    from scipy.linalg import expm

    assert expm(0.1 * A).min() < -0.1
