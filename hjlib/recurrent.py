r"""Recurrent networks and state-space models through the log-sum-exp lens.

Two kinds of helpers, for Part III's chapter on recurrent models.

**Gates as Gibbs weights.** The gates of RNNs and LSTMs are two-entry softmaxes, i.e. gradients
of a two-entry log-sum-exp (exact identities, at temperature ε):

.. math::

    \sigma(z/\varepsilon) = \partial_z \mathrm{LSE}_\varepsilon(z, 0) = \pi_+(z, 0), \qquad
    \tanh(z/\varepsilon) = \pi_+(z, -z) - \pi_-(z, -z) = \partial_z \mathrm{LSE}_\varepsilon(z, -z),

with π = softmax(·/ε). :func:`sigmoid_gate`, :func:`tanh_gate` evaluate the right-hand sides
through :func:`hjlib.lse`; :func:`lstm_cell_lse` is an LSTM cell built from them (PyTorch's gate
order and parameter layout, so it can be compared with ``torch.nn.LSTMCell``).

**A linear SSM that is a discretised heat / viscous-HJ evolution.** On a periodic grid with n
points and spacing Δx, the heat equation ∂ₜw = εw_xx becomes the linear recurrence (a state-space
model with a fixed transition)

.. math::

    h_{k+1} = A h_k, \qquad A = I + \Delta t\,\varepsilon L \ \text{(explicit Euler)} \quad
    \text{or} \quad A = e^{\Delta t\,\varepsilon L}, \qquad
    (L h)_i = \frac{h_{i+1} - 2h_i + h_{i-1}}{\Delta x^2},

and the Hopf–Cole map u = −ε log h turns its state into an approximation of the viscous HJ
solution of ∂ₜu + u_x² = εu_xx (the paper's convention). That needs h > 0: the Euler transition
is entrywise non-negative iff r = εΔt/Δx² ≤ 1/2; e^{ΔtεL} is non-negative for every Δt because
εL is a Metzler matrix (non-negative off the diagonal). :func:`log_ssm_step` is one step in the
log domain, a soft-min-plus product u_i ↦ −ε log Σⱼ Aᵢⱼ e^{−uⱼ/ε};
:func:`numerical_hamiltonian` is the Hamiltonian of the semi-discrete scheme in u.

All functions follow hjlib's array rules where they take arrays (numpy in → numpy out; torch in →
torch out); the grid helpers return float64 NumPy arrays.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ._checks import as_tensor, backend_of, check_eps
from .logsumexp import lse

__all__ = [
    "sigmoid_gate", "tanh_gate", "lstm_cell_lse",
    "periodic_grid", "periodic_laplacian", "heat_transition", "heat_steps",
    "heat_ssm_hopf_cole", "log_ssm_step", "numerical_hamiltonian", "hippo_legs",
]


def _eps_pos(eps) -> float:
    eps = check_eps(eps)
    if eps == 0:
        raise ValueError("eps must be > 0 (at eps = 0 the gates are step functions)")
    return eps


# ----------------------------------------------------------------------------------------------
# gates
def sigmoid_gate(z, eps: float = 1.0):
    r"""The sigmoid gate as a Gibbs weight: σ(z/ε) = softmax((z, 0)/ε)₁ = ∂_z LSE_ε(z, 0).

    .. math::

        \pi_+(z) = \exp\Big(\frac{z - \mathrm{LSE}_\varepsilon(z, 0)}{\varepsilon}\Big)
        = \frac{e^{z/\varepsilon}}{e^{z/\varepsilon} + 1} = \sigma(z/\varepsilon),

    evaluated through :func:`hjlib.lse` (never overflows).

    Parameters
    ----------
    z : array_like or Tensor, any shape
    eps : float > 0
        Temperature; ε = 1 is the standard logistic sigmoid.

    Returns
    -------
    ndarray or Tensor of z's shape (differentiable for torch input).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.recurrent import sigmoid_gate
    >>> sigmoid_gate(np.array([-800.0, 0.0, 800.0]))
    array([0. , 0.5, 1. ])
    """
    eps = _eps_pos(eps)
    be = backend_of(z)
    zt = as_tensor(z, "z", be)
    pair = torch.stack([zt, torch.zeros_like(zt)], dim=-1)
    return be.out(torch.exp((zt - lse(pair, eps)) / eps))


def tanh_gate(z, eps: float = 1.0):
    r"""tanh as a signed Gibbs weight: tanh(z/ε) = π₊ − π₋ with π = softmax((z, −z)/ε).

    .. math::

        \pi_\pm = \exp\Big(\frac{\pm z - \mathrm{LSE}_\varepsilon(z, -z)}{\varepsilon}\Big),
        \qquad \pi_+ - \pi_- = \frac{e^{z/\varepsilon} - e^{-z/\varepsilon}}
        {e^{z/\varepsilon} + e^{-z/\varepsilon}} = \tanh(z/\varepsilon)
        = \partial_z \mathrm{LSE}_\varepsilon(z, -z).

    Parameters
    ----------
    z : array_like or Tensor, any shape
    eps : float > 0

    Returns
    -------
    ndarray or Tensor of z's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.recurrent import tanh_gate
    >>> bool(abs(tanh_gate(np.array(0.5)) - np.tanh(0.5)) < 1e-15)
    True
    """
    eps = _eps_pos(eps)
    be = backend_of(z)
    zt = as_tensor(z, "z", be)
    pair = torch.stack([zt, -zt], dim=-1)
    pi = torch.exp((pair - lse(pair, eps).unsqueeze(-1)) / eps)
    return be.out(pi[..., 0] - pi[..., 1])


def lstm_cell_lse(x, h, c, weight_ih, weight_hh, bias_ih=None, bias_hh=None, *, eps: float = 1.0):
    r"""One LSTM step with every gate written as a Gibbs weight (:func:`sigmoid_gate`,
    :func:`tanh_gate`).

    .. math::

        (z_i, z_f, z_g, z_o) = W_{ih}x + b_{ih} + W_{hh}h + b_{hh},\quad
        c' = \sigma(z_f)\odot c + \sigma(z_i)\odot\tanh(z_g),\quad
        h' = \sigma(z_o)\odot\tanh(c'),

    with PyTorch's gate order (input, forget, cell, output) and parameter shapes, so that with
    ε = 1 the result equals ``torch.nn.LSTMCell`` with the same weights. With ε ≠ 1 every gate
    is taken at temperature ε (σ(z/ε), tanh(z/ε)).

    Parameters
    ----------
    x : Tensor, shape (batch, input_size)
    h, c : Tensor, shape (batch, hidden_size)
    weight_ih : Tensor, shape (4·hidden_size, input_size)
    weight_hh : Tensor, shape (4·hidden_size, hidden_size)
    bias_ih, bias_hh : Tensor, shape (4·hidden_size,), optional
    eps : float > 0

    Returns
    -------
    (h', c') : tuple of Tensors, shape (batch, hidden_size)

    Examples
    --------
    >>> import torch
    >>> from hjlib.recurrent import lstm_cell_lse
    >>> cell = torch.nn.LSTMCell(3, 2, dtype=torch.float64)
    >>> x, h, c = (torch.randn(4, k, dtype=torch.float64) for k in (3, 2, 2))
    >>> h1, c1 = lstm_cell_lse(x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    >>> h2, c2 = cell(x, (h, c))
    >>> bool(torch.allclose(h1, h2, atol=1e-14) and torch.allclose(c1, c2, atol=1e-14))
    True
    """
    z = x @ weight_ih.T + h @ weight_hh.T
    if bias_ih is not None:
        z = z + bias_ih
    if bias_hh is not None:
        z = z + bias_hh
    if z.shape[-1] % 4 or z.shape[-1] // 4 != h.shape[-1]:
        raise ValueError(f"weights give {z.shape[-1]} gate pre-activations; expected 4·hidden_size "
                         f"= {4 * h.shape[-1]}")
    zi, zf, zg, zo = z.chunk(4, dim=-1)
    c_new = sigmoid_gate(zf, eps) * c + sigmoid_gate(zi, eps) * tanh_gate(zg, eps)
    h_new = sigmoid_gate(zo, eps) * tanh_gate(c_new, eps)
    return h_new, c_new


# ----------------------------------------------------------------------------------------------
# the heat SSM
def periodic_grid(n: int, length: float, start: float = 0.0) -> np.ndarray:
    r"""Grid xᵢ = start + i·length/n, i = 0..n−1, of a periodic interval of the given length."""
    n = int(n)
    if n < 3:
        raise ValueError(f"need n >= 3 grid points, got {n}")
    if not (math.isfinite(length) and length > 0):
        raise ValueError(f"length must be finite and > 0, got {length!r}")
    return start + length * np.arange(n) / n


def periodic_laplacian(n: int, length: float) -> np.ndarray:
    r"""The circulant second-difference matrix L on a periodic grid, (Lh)ᵢ = (hᵢ₊₁ − 2hᵢ + hᵢ₋₁)/Δx².

    Parameters
    ----------
    n : int ≥ 3
    length : float > 0
        Period; Δx = length/n.

    Returns
    -------
    L : ndarray, shape (n, n), float64. Rows sum to 0 and the off-diagonal entries are ≥ 0
    (L is a Metzler matrix), so e^{sL} is entrywise non-negative for every s ≥ 0.
    """
    periodic_grid(n, length)  # validation
    dx = length / n
    L = -2.0 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    L[0, -1] = L[-1, 0] = 1.0
    return L / dx**2


def heat_transition(n: int, length: float, eps: float, dt: float, *, method: str = "euler") -> np.ndarray:
    r"""Transition matrix of the heat SSM h_{k+1} = A h_k for ∂ₜw = εw_xx on a periodic grid.

    .. math::

        A = I + \Delta t\,\varepsilon L \ (\texttt{"euler"}), \qquad
        A = e^{\Delta t\,\varepsilon L} \ (\texttt{"expm"}),

    L from :func:`periodic_laplacian`. The Euler matrix has diagonal 1 − 2r and neighbours r,
    r = εΔt/Δx², so it is entrywise non-negative iff r ≤ 1/2 (the classical stability limit);
    the exponential is non-negative for every Δt. Both conserve Σᵢ hᵢ (columns sum to 1).

    Parameters
    ----------
    n, length : grid (Δx = length/n)
    eps : float > 0
    dt : float > 0
    method : {"euler", "expm"}

    Returns
    -------
    A : ndarray, shape (n, n), float64.
    """
    eps = _eps_pos(eps)
    if not (math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be finite and > 0, got {dt!r}")
    L = periodic_laplacian(n, length)
    if method == "euler":
        return np.eye(n) + dt * eps * L
    if method == "expm":
        from scipy.linalg import expm

        return expm(dt * eps * L)
    raise ValueError(f"method must be 'euler' or 'expm', got {method!r}")


def heat_steps(n: int, length: float, eps: float, t: float, *, r_max: float = 0.4) -> tuple[int, float]:
    r"""Number of Euler steps K and step Δt = t/K with r = εΔt/Δx² ≤ r_max (the fewest such K)."""
    eps = _eps_pos(eps)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"t must be finite and > 0, got {t!r}")
    if not (0 < r_max <= 0.5):
        raise ValueError(f"r_max must lie in (0, 1/2] for a non-negative transition, got {r_max!r}")
    dx = length / n
    K = max(1, math.ceil(eps * t / (r_max * dx**2) - 1e-12))
    return K, t / K


def heat_ssm_hopf_cole(g_values, t: float, eps: float, length: float, *, r_max: float = 0.4,
                       method: str = "euler", return_state: bool = False):
    r"""Run the heat SSM from h₀ = e^{−g/ε} for time t and read it back with u = −ε log h.

    .. math::

        u_K = -\varepsilon \log\big(A^K e^{-g/\varepsilon}\big), \qquad K\,\Delta t = t,

    an approximation of the (normalised) viscous HJ solution u_ε(·, t) of ∂ₜu + u_x² = εu_xx
    with periodic data g sampled on :func:`periodic_grid` (error O(Δx²) for the Euler scheme at
    fixed r). ``g = +inf`` entries give h₀ = 0 there (atomic data: put g = −ε log(mass/Δx) on
    the atoms). The state is shifted by min g before exponentiating, so any range of g/ε that
    the final state can represent in float64 works.

    Parameters
    ----------
    g_values : array_like, shape (n,)
        Initial data on the grid (+inf allowed, not all).
    t : float > 0
    eps : float > 0
    length : float > 0
        Period of the grid.
    r_max : float in (0, 1/2]
        Largest r = εΔt/Δx² for the Euler transition (see :func:`heat_steps`).
    method : {"euler", "expm"}
        ``"expm"`` uses one exact step e^{tεL}.
    return_state : bool
        Also return (h_K, shift, K).

    Returns
    -------
    u : ndarray, shape (n,)
    """
    eps = _eps_pos(eps)
    g = np.asarray(g_values, dtype=np.float64)
    if g.ndim != 1 or np.isnan(g).any() or np.isneginf(g).any() or not np.isfinite(g).any():
        raise ValueError("g_values must be a 1-D array of reals or +inf (not all +inf)")
    n = g.size
    shift = g[np.isfinite(g)].min()
    h = np.exp(-(g - shift) / eps)
    if method == "euler":
        K, dt = heat_steps(n, length, eps, t, r_max=r_max)
        A = heat_transition(n, length, eps, dt, method="euler")
        for _ in range(K):          # h_{k+1} = A h_k, the recurrence itself
            h = A @ h
    elif method == "expm":
        K = 1
        h = heat_transition(n, length, eps, t, method="expm") @ h
    else:
        raise ValueError(f"method must be 'euler' or 'expm', got {method!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        u = shift - eps * np.log(h)
    return (u, (h, shift, K)) if return_state else u


def log_ssm_step(A, u, eps: float):
    r"""One step of a non-negative linear SSM in log coordinates: a soft-min-plus product.

    .. math::

        u'_i = -\varepsilon \log \sum_j A_{ij} e^{-u_j/\varepsilon}
             = \operatorname{softmin}_{\varepsilon,\,j}\big(u_j + c_{ij}\big),
        \qquad c_{ij} = -\varepsilon \log A_{ij}\ (= +\infty \text{ where } A_{ij} = 0),

    i.e. h' = A h with h = e^{−u/ε}, evaluated by :func:`hjlib.softmin` with weights A (stable for
    any magnitude of u/ε). At ε → 0 with fixed costs c it becomes the min-plus product
    minⱼ(uⱼ + cᵢⱼ), a Bellman / Hopf–Lax step.

    Parameters
    ----------
    A : array_like or Tensor, shape (n, m), entrywise ≥ 0 (a negative entry raises ValueError:
        the log reading does not exist)
    u : array_like or Tensor, shape (m,) or (..., m)
    eps : float > 0

    Returns
    -------
    u' : shape (n,) or (..., n)
    """
    from .logsumexp import softmin

    eps = _eps_pos(eps)
    be = backend_of(A, u)
    At = as_tensor(A, "A", be)
    ut = as_tensor(u, "u", be, allow_nan=False)
    if At.ndim != 2 or ut.shape[-1] != At.shape[1]:
        raise ValueError(f"need A (n, m) and u (..., m); got {tuple(At.shape)}, {tuple(ut.shape)}")
    if (At < 0).any():
        raise ValueError("A has a negative entry: -eps*log(A h) is not defined for every h > 0")
    z = ut.unsqueeze(-2).expand(*ut.shape[:-1], At.shape[0], At.shape[1])
    return be.out(softmin(z, eps, dim=-1, weights=At))


def numerical_hamiltonian(p_plus, p_minus, eps: float, dx: float):
    r"""Hamiltonian of the log-transformed semi-discrete heat equation.

    Writing w = e^{−u/ε} in ẇᵢ = ε(wᵢ₊₁ − 2wᵢ + wᵢ₋₁)/Δx² gives exactly
    u̇ᵢ + H_Δ(D⁺uᵢ, D⁻uᵢ) = 0 with one-sided differences D^± and

    .. math::

        H_\Delta(p^+, p^-) = \frac{\varepsilon^2}{\Delta x^2}
            \Big(e^{-p^+\Delta x/\varepsilon} + e^{p^-\Delta x/\varepsilon} - 2\Big)
        = \frac{(p^+)^2 + (p^-)^2}{2} - \varepsilon\,\frac{p^+ - p^-}{\Delta x} + O(\Delta x),

    a monotone numerical Hamiltonian (decreasing in p⁺, increasing in p⁻) for ∂ₜu + u_x² = εu_xx;
    on smooth u, (p⁺ − p⁻)/Δx ≈ u_xx, so the second term is the viscosity. H_Δ(p, p) =
    (2ε²/Δx²)(cosh(pΔx/ε) − 1) → p².

    Parameters
    ----------
    p_plus, p_minus : array_like or Tensor (broadcastable)
    eps : float > 0
    dx : float > 0
    """
    eps = _eps_pos(eps)
    be = backend_of(p_plus, p_minus)
    pp, pm = as_tensor(p_plus, "p_plus", be), as_tensor(p_minus, "p_minus", be)
    a = eps / dx
    return be.out(a * a * (torch.expm1(-pp / a) + torch.expm1(pm / a)))


def hippo_legs(N: int) -> np.ndarray:
    r"""The HiPPO-LegS state matrix used to initialise S4 (Gu et al., 2020; 2022), N × N.

    .. math::

        A_{nk} = -\begin{cases} \sqrt{(2n+1)(2k+1)} & n > k \\ n + 1 & n = k \\ 0 & n < k
        \end{cases}

    (n, k = 0..N−1). Its off-diagonal entries are ≤ 0, so it is *not* a Metzler matrix and
    e^{ΔA} has negative entries: the state of an SSM with this transition is not kept positive.
    """
    N = int(N)
    if N < 1:
        raise ValueError(f"N must be >= 1, got {N}")
    n = np.arange(N)
    q = np.sqrt(2 * n + 1.0)
    A = np.tril(np.outer(q, q), k=-1) + np.diag(n + 1.0)
    return -A
