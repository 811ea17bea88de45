r"""Residual networks as optimal control: forward Euler, the Pontryagin co-state, the HJB value.

A residual network with K blocks of step h is the forward-Euler scheme

.. math::

    x_{k+1} = x_k + h\,F(x_k, \theta_k), \qquad F(x, \theta) = \sigma(A x + c),\quad
    \theta = (A, c),\quad k = 0, \dots, K-1,

for the control system ẋ = F(x, θ(s)) on [0, T], T = K h. With the control Hamiltonian
𝓗(x, p, θ) = p·F(x, θ) and a terminal loss Φ(x_K), the co-state (Pontryagin) recursion is

.. math::

    p_K = -\nabla\Phi(x_K), \qquad
    p_k = p_{k+1} + h\,J_F(x_k, \theta_k)^\top p_{k+1}, \qquad
    \frac{\partial \Phi}{\partial \theta_k} = -h\,\nabla_\theta \big(p_{k+1}\cdot F(x_k, \theta_k)\big),

and ∇_{x₀}Φ = −p₀. Every function here is written by hand in NumPy (explicit Jacobians, no
automatic differentiation); :func:`autograd_gradients` is the independent torch reference.

Sign convention: p = −∂Φ/∂x (the co-state of the *maximum* principle: the optimal control
maximises 𝓗). With a running cost ℓ(θ) the Hamiltonian is 𝓗 = p·F − ℓ.

The value-function helpers treat the linear-quadratic example ẋ = θ, running cost |θ|²/4,
terminal cost g(x) = ½(x − y*)ᵀQ(x − y*), whose value function V(x, s) depends on the time to
go τ = T − s only and solves the book's HJ equation ∂_τV + |∇V|² = εΔV (ε = 0: deterministic
control; ε > 0: the state is driven by √(2ε) dW).

Functions
---------
:func:`block`, :func:`block_jacobian`   F(x, θ) = σ(Ax + c) and J_F = diag σ'(Ax + c) · A
:func:`resnet_forward`                  the states x₀ … x_K
:func:`costates`                        the co-states p₀ … p_K (backward recursion)
:func:`parameter_gradients`             ∂Φ/∂A_k, ∂Φ/∂c_k from the co-states
:func:`backprop_by_hand`                all of the above for Φ = ½|x_K − x*|²
:func:`autograd_gradients`              the same gradients by torch autograd (reference)
:func:`sample_controls`                 θ_k = θ(k h) from a continuous control s ↦ θ(s)
:func:`continuous_adjoint`              x(s), p(s) of the Neural-ODE limit by scipy's solve_ivp
:func:`lq_value`, :func:`lq_value_grad` closed-form value function of the LQ example
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

__all__ = [
    "ACTIVATIONS", "block", "block_jacobian", "resnet_forward", "costates", "parameter_gradients",
    "backprop_by_hand", "autograd_gradients", "Gradients", "sample_controls", "continuous_adjoint",
    "ContinuousAdjoint", "lq_value", "lq_value_grad",
]


def _relu(z):
    return np.maximum(z, 0.0)


#: activation name → (σ(z), σ'(z) given z and a = σ(z)). relu'(0) = 0, as in torch.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "relu": (_relu, lambda z, a: (z > 0).astype(float)),
}


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def _check_params(A, c, h=None):
    A = np.asarray(A, dtype=float)
    c = np.asarray(c, dtype=float)
    if A.ndim != 3 or A.shape[1] != A.shape[2]:
        raise ValueError(f"A must have shape (K, d, d), got {A.shape}")
    if c.shape != A.shape[:2]:
        raise ValueError(f"c must have shape (K, d) = {A.shape[:2]}, got {c.shape}")
    if h is not None and not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive number, got {h!r}")
    return A, c


def block(x, A, c, activation: str = "tanh"):
    r"""One residual branch F(x, θ) = σ(A x + c).

    Parameters
    ----------
    x : array_like, shape (..., d)
    A : array_like, shape (d, d);  c : array_like, shape (d,)
    activation : {"tanh", "relu"}

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> import numpy as np
    >>> block(np.zeros(2), np.eye(2), np.array([0.0, 1.0])).round(4)
    array([0.    , 0.7616])
    """
    sigma, _ = _activation(activation)
    x = np.asarray(x, dtype=float)
    return sigma(x @ np.asarray(A, dtype=float).T + np.asarray(c, dtype=float))


def block_jacobian(x, A, c, activation: str = "tanh"):
    r"""Jacobian of F(x, θ) = σ(Ax + c) in x: J_F = diag(σ'(Ax + c)) A, written out by hand.

    Parameters
    ----------
    x : array_like, shape (d,);  A : (d, d);  c : (d,)

    Returns
    -------
    ndarray, shape (d, d), J[i, j] = ∂F_i/∂x_j

    Examples
    --------
    >>> import numpy as np
    >>> block_jacobian(np.zeros(2), np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros(2))
    array([[1., 2.],
           [3., 4.]])
    """
    sigma, dsigma = _activation(activation)
    A = np.asarray(A, dtype=float)
    z = A @ np.asarray(x, dtype=float) + np.asarray(c, dtype=float)
    return dsigma(z, sigma(z))[:, None] * A


def resnet_forward(x0, A, c, h, activation: str = "tanh"):
    r"""States of the residual network x_{k+1} = x_k + h σ(A_k x_k + c_k) (forward Euler).

    Parameters
    ----------
    x0 : array_like, shape (d,) or (B, d)
    A : array_like, shape (K, d, d);  c : array_like, shape (K, d);  h : float > 0
    activation : {"tanh", "relu"}

    Returns
    -------
    xs : ndarray, shape (K + 1, d) or (K + 1, B, d); xs[0] = x0

    Examples
    --------
    >>> import numpy as np
    >>> resnet_forward(np.zeros(1), np.zeros((2, 1, 1)), np.ones((2, 1)), 0.5).ravel().round(4)
    array([0.    , 0.3808, 0.7616])
    """
    A, c = _check_params(A, c, h)
    sigma, _ = _activation(activation)
    x = np.asarray(x0, dtype=float)
    if x.shape[-1] != A.shape[1]:
        raise ValueError(f"x0 must have last dimension d = {A.shape[1]}, got shape {x.shape}")
    xs = [x]
    for k in range(A.shape[0]):
        x = x + h * sigma(x @ A[k].T + c[k])
        xs.append(x)
    return np.stack(xs)


def costates(xs, A, c, h, p_final, activation: str = "tanh"):
    r"""Co-states of the discrete maximum principle, by the backward recursion.

    .. math::

        p_K = p_{\rm final} = -\nabla\Phi(x_K), \qquad
        p_k = p_{k+1} + h\,A_k^\top\big(\sigma'(A_k x_k + c_k)\odot p_{k+1}\big).

    The Jacobian J_F(x_k)ᵀ p = Aᵀ(σ' ⊙ p) is applied without forming J_F. The products are
    ordered as reverse-mode autodiff orders them: the factor h multiplies p_{k+1} first.

    Parameters
    ----------
    xs : array_like, shape (K + 1, ..., d) — the states from :func:`resnet_forward`
    A, c, h, activation : as in :func:`resnet_forward`
    p_final : array_like, shape (..., d) — the terminal co-state −∇Φ(x_K)

    Returns
    -------
    ps : ndarray, shape of xs; ps[k] = −∂Φ/∂x_k

    Examples
    --------
    >>> import numpy as np
    >>> A = np.zeros((3, 2, 2)); c = np.zeros((3, 2))         # F = 0: the co-state is constant
    >>> costates(np.zeros((4, 2)), A, c, 0.1, np.array([1.0, -2.0]))[0]
    array([ 1., -2.])
    """
    A, c = _check_params(A, c, h)
    sigma, dsigma = _activation(activation)
    xs = np.asarray(xs, dtype=float)
    K = A.shape[0]
    if xs.shape[0] != K + 1:
        raise ValueError(f"xs must hold K + 1 = {K + 1} states, got {xs.shape[0]}")
    p = np.asarray(p_final, dtype=float)
    if p.shape != xs.shape[1:]:
        raise ValueError(f"p_final must have the shape of one state {xs.shape[1:]}, got {p.shape}")
    ps = [p]
    for k in range(K - 1, -1, -1):
        z = xs[k] @ A[k].T + c[k]
        s = dsigma(z, sigma(z)) * (h * p)          # σ'(z_k) ⊙ (h p_{k+1})
        p = p + s @ A[k]                           # + A_kᵀ s  (row-vector form)
        ps.append(p)
    return np.stack(ps[::-1])


def parameter_gradients(xs, ps, A, c, h, activation: str = "tanh"):
    r"""∂Φ/∂θ_k = −h ∇_θ(p_{k+1}·F(x_k, θ_k)) for θ_k = (A_k, c_k), from states and co-states.

    .. math::

        \frac{\partial\Phi}{\partial c_k} = -h\,\sigma'(z_k)\odot p_{k+1}, \qquad
        \frac{\partial\Phi}{\partial A_k} = -h\,\big(\sigma'(z_k)\odot p_{k+1}\big)\,x_k^\top,
        \qquad z_k = A_k x_k + c_k .

    For a batch of inputs (xs of shape (K + 1, B, d)) the gradients are summed over the batch
    (the loss is then Σ_b Φ(x_K^b)).

    Returns
    -------
    grad_A : ndarray, shape (K, d, d);  grad_c : ndarray, shape (K, d)

    Examples
    --------
    >>> import numpy as np
    >>> xs = np.array([[1.0], [1.0]]); ps = np.array([[2.0], [2.0]])
    >>> parameter_gradients(xs, ps, np.zeros((1, 1, 1)), np.zeros((1, 1)), 0.5)
    (array([[[-1.]]]), array([[-1.]]))
    """
    A, c = _check_params(A, c, h)
    sigma, dsigma = _activation(activation)
    xs = np.asarray(xs, dtype=float)
    ps = np.asarray(ps, dtype=float)
    K = A.shape[0]
    if xs.shape != ps.shape or xs.shape[0] != K + 1:
        raise ValueError(f"xs and ps must both have shape (K + 1, ..., d) with K = {K}, got "
                         f"{xs.shape} and {ps.shape}")
    gA = np.empty_like(A)
    gc = np.empty_like(c)
    for k in range(K):
        z = xs[k] @ A[k].T + c[k]
        s = -h * dsigma(z, sigma(z)) * ps[k + 1]
        s2, x2 = s.reshape(-1, s.shape[-1]), xs[k].reshape(-1, s.shape[-1])
        gc[k] = s2.sum(0)
        gA[k] = s2.T @ x2                              # Σ_batch s x_kᵀ
    return gA, gc


class Gradients(NamedTuple):
    """Loss Φ = ½|x_K − x*|² and its gradients; ``xs``/``ps`` (or autograd's −∂Φ/∂x_k)."""

    loss: float
    x0: np.ndarray
    A: np.ndarray
    c: np.ndarray
    xs: np.ndarray
    ps: np.ndarray
    order: tuple = ()


def backprop_by_hand(x0, A, c, h, x_star, activation: str = "tanh") -> Gradients:
    r"""Φ = ½|x_K − x*|² and ∇Φ in x₀, A_k, c_k by the co-state recursion (no autodiff).

    Forward pass (:func:`resnet_forward`), terminal co-state p_K = −(x_K − x*), backward
    recursion (:func:`costates`), parameter gradients (:func:`parameter_gradients`), and
    ∇_{x₀}Φ = −p₀. For a batch x0 of shape (B, d) the loss is summed over the batch.

    Returns
    -------
    Gradients
        ``loss``, ``x0`` (∇_{x₀}Φ), ``A`` (K, d, d), ``c`` (K, d), ``xs`` and ``ps`` (K + 1, ..., d).

    Examples
    --------
    >>> import numpy as np
    >>> G = backprop_by_hand(np.ones(2), np.zeros((4, 2, 2)), np.zeros((4, 2)), 0.25, np.zeros(2))
    >>> G.loss, G.x0                  # F ≡ 0 here: x_K = x₀, so ∇_{x₀}Φ = x₀ − x*
    (1.0, array([1., 1.]))
    """
    xs = resnet_forward(x0, A, c, h, activation)
    r = xs[-1] - np.asarray(x_star, dtype=float)
    ps = costates(xs, A, c, h, -r, activation)
    gA, gc = parameter_gradients(xs, ps, A, c, h, activation)
    return Gradients(float(0.5 * np.sum(r * r)), -ps[0], gA, gc, xs, ps)


def autograd_gradients(x0, A, c, h, x_star, activation: str = "tanh") -> Gradients:
    r"""The same loss and gradients as :func:`backprop_by_hand`, by torch autograd (float64).

    The graph is the plain forward pass ``x = x + h * σ(A_k @ x + c_k)``; hooks on every state
    record autograd's adjoint ∂Φ/∂x_k and the *order* in which reverse mode produces them.

    Returns
    -------
    Gradients
        ``ps[k]`` holds −∂Φ/∂x_k as computed by autograd (comparable with the co-states) and
        ``order`` the layer indices k in the order their adjoints were computed.
    """
    import torch

    A, c = _check_params(A, c, h)
    _activation(activation)  # validates the name
    act = {"tanh": torch.tanh, "relu": torch.relu}[activation]
    At = torch.tensor(A, dtype=torch.float64, requires_grad=True)
    ct = torch.tensor(c, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(np.asarray(x0, dtype=float), dtype=torch.float64, requires_grad=True)
    leaf = x
    grads: dict[int, torch.Tensor] = {}
    order: list[int] = []

    def hook(k):
        def f(g):
            grads[k] = g.detach().clone()
            order.append(k)
        return f

    xs = [x]
    x.register_hook(hook(0))
    for k in range(A.shape[0]):
        x = x + h * act(x @ At[k].T + ct[k])
        x.register_hook(hook(k + 1))
        xs.append(x)
    loss = 0.5 * ((x - torch.as_tensor(np.asarray(x_star, dtype=float))) ** 2).sum()
    loss.backward()
    ps = -np.stack([grads[k].numpy() for k in range(len(xs))])
    return Gradients(float(loss.detach()), leaf.grad.numpy().copy(), At.grad.numpy().copy(),
                     ct.grad.numpy().copy(), np.stack([v.detach().numpy() for v in xs]), ps,
                     tuple(order))


def sample_controls(A_fn: Callable, c_fn: Callable, K: int, T: float):
    r"""Layer parameters θ_k = θ(s_k), s_k = k h, h = T/K, of a continuous control s ↦ (A(s), c(s)).

    The residual net with these parameters is the forward-Euler discretisation of the Neural ODE
    ẋ = σ(A(s)x + c(s)) on [0, T].

    Returns
    -------
    A : ndarray (K, d, d);  c : ndarray (K, d);  h : float
    """
    if not (isinstance(K, (int, np.integer)) and K >= 1):
        raise ValueError(f"K must be a positive integer, got {K!r}")
    h = T / K
    s = h * np.arange(K)
    return np.stack([A_fn(si) for si in s]), np.stack([c_fn(si) for si in s]), h


class ContinuousAdjoint(NamedTuple):
    """Dense solutions of the state and adjoint ODEs: ``x(s)`` and ``p(s)`` accept arrays of s."""

    x: Callable
    p: Callable
    T: float


def continuous_adjoint(A_fn: Callable, c_fn: Callable, x0, T: float, x_star, *,
                       activation: str = "tanh", rtol: float = 1e-12, atol: float = 1e-13):
    r"""The continuous-depth limit: state ẋ = F(x, θ(s)) and adjoint ṗ = −J_F(x, θ(s))ᵀ p.

    .. math::

        \dot x = \sigma(A(s)x + c(s)),\ x(0) = x_0; \qquad
        \dot p = -A(s)^\top\big(\sigma'(A(s)x + c(s))\odot p\big),\ p(T) = -(x(T) - x^\star).

    Both are solved by ``scipy.integrate.solve_ivp`` (DOP853, dense output); the adjoint is
    integrated backwards from T to 0 along the dense forward solution.

    Returns
    -------
    ContinuousAdjoint
        ``x(s)`` and ``p(s)`` return arrays of shape (d,) for a scalar s, (len(s), d) otherwise.
    """
    from scipy.integrate import solve_ivp

    sigma, dsigma = _activation(activation)
    x0 = np.asarray(x0, dtype=float)

    def fwd(s, x):
        return sigma(A_fn(s) @ x + c_fn(s))

    sol_x = solve_ivp(fwd, (0.0, T), x0, method="DOP853", rtol=rtol, atol=atol, dense_output=True)
    if not sol_x.success:  # pragma: no cover
        raise RuntimeError(f"forward solve failed: {sol_x.message}")
    xT = sol_x.sol(T)

    def bwd(s, p):
        A = A_fn(s)
        z = A @ sol_x.sol(s) + c_fn(s)
        return -(dsigma(z, sigma(z)) * p) @ A

    pT = -(xT - np.asarray(x_star, dtype=float))
    sol_p = solve_ivp(bwd, (T, 0.0), pT, method="DOP853", rtol=rtol, atol=atol, dense_output=True)
    if not sol_p.success:  # pragma: no cover
        raise RuntimeError(f"adjoint solve failed: {sol_p.message}")

    def wrap(sol):
        return lambda s: np.asarray(sol.sol(s)).T

    return ContinuousAdjoint(wrap(sol_x), wrap(sol_p), float(T))


def _lq_eig(Q):
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1] or not np.allclose(Q, Q.T, atol=1e-12):
        raise ValueError("Q must be a symmetric (d, d) matrix")
    q, U = np.linalg.eigh(Q)
    if q.min() < -1e-12:
        raise ValueError(f"Q must be positive semi-definite (smallest eigenvalue {q.min():.3g})")
    return np.clip(q, 0.0, None), U


def lq_value(x, tau, Q, y_star, eps: float = 0.0):
    r"""Value function of the LQ problem ẋ = θ (+ √(2ε) dW), cost ∫|θ|²/4 + ½(x_T − y*)ᵀQ(x_T − y*).

    With τ = T − s the time to go,

    .. math::

        V(x, \tau) = \tfrac12 (x - y^\star)^\top Q (I + 2\tau Q)^{-1} (x - y^\star)
                     + \tfrac{\varepsilon}{2}\log\det(I + 2\tau Q),

    which solves ∂_τV + |∇V|² = εΔV with V(·, 0) = g (the book's HJ equation; at ε = 0 it is
    the Hopf–Lax value min_y g(y) + |x − y|²/(4τ)). Works on NumPy arrays and on torch tensors
    (differentiably), so :func:`hjlib.pde_residual` can check it.

    Parameters
    ----------
    x : array_like or Tensor, shape (..., d)
    tau : float ≥ 0, or array/Tensor of shape x.shape[:-1]
    Q : (d, d) symmetric positive semi-definite;  y_star : (d,);  eps : float ≥ 0

    Returns
    -------
    V : shape x.shape[:-1]

    Examples
    --------
    >>> import numpy as np
    >>> float(lq_value(np.array([1.0]), 0.5, np.array([[1.0]]), np.zeros(1)))   # ½·1/(1 + 1)
    0.25
    """
    q, U = _lq_eig(Q)
    try:
        import torch

        is_torch = isinstance(x, torch.Tensor) or isinstance(tau, torch.Tensor)
    except ImportError:  # pragma: no cover
        is_torch = False
    if is_torch:
        x = torch.as_tensor(x, dtype=torch.float64)
        tau = torch.as_tensor(tau, dtype=x.dtype)
        q_, U_, ys = (torch.as_tensor(v, dtype=x.dtype) for v in (q, U, np.asarray(y_star, float)))
        z = (x - ys) @ U_
        den = 1 + 2 * tau[..., None] * q_
        return 0.5 * (q_ * z * z / den).sum(-1) + 0.5 * eps * torch.log(den).sum(-1)
    x = np.asarray(x, dtype=float)
    tau = np.asarray(tau, dtype=float)
    if np.any(tau < 0):
        raise ValueError("tau (the time to go) must be ≥ 0")
    z = (x - np.asarray(y_star, dtype=float)) @ U
    den = 1 + 2 * tau[..., None] * q
    return 0.5 * (q * z * z / den).sum(-1) + 0.5 * eps * np.log(den).sum(-1)


def lq_value_grad(x, tau, Q, y_star):
    r"""∇ₓV = Q(I + 2τQ)⁻¹(x − y*) for :func:`lq_value` (the same for every ε ≥ 0).

    Examples
    --------
    >>> import numpy as np
    >>> lq_value_grad(np.array([1.0, 1.0]), 0.5, np.diag([1.0, 3.0]), np.zeros(2))
    array([0.5 , 0.75])
    """
    q, U = _lq_eig(Q)
    x = np.asarray(x, dtype=float)
    tau = np.asarray(tau, dtype=float)
    z = (x - np.asarray(y_star, dtype=float)) @ U
    return (q * z / (1 + 2 * tau[..., None] * q)) @ U.T
