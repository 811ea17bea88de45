"""PDE residual ∂ₜu + |∇u|² − εΔu of a candidate solution, by automatic differentiation."""
from __future__ import annotations

import torch

from ._checks import as_tensor, backend_of, check_eps

__all__ = ["pde_residual"]


def pde_residual(u_fn, x, t, eps):
    r"""Residual of the viscous Hamilton–Jacobi equation, computed with torch autograd.

    .. math::

        R(x,t) = \partial_t u + |\nabla_x u|^2 - \varepsilon\,\Delta_x u .

    R ≡ 0 for an exact solution of ∂ₜu + |∇u|² = εΔu. For the *unnormalised* discrete Hopf–Cole
    sum R ≡ −εd/(2t) (a constant source); with ``normalized=True`` R ≡ 0.

    Parameters
    ----------
    u_fn : callable
        ``u_fn(x, t) -> u`` with x a tensor of shape (N, d) (or (N,) in 1-D, as passed),
        t a tensor of shape (N,), returning u of shape (N,). It must be differentiable twice in x
        and once in t with torch ops (e.g. ``lambda x, t: hjlib.hopf_cole(x, y, g, t, eps)``,
        which takes the dense path for this).
    x : array_like or Tensor, shape (N, d) or (N,) for d = 1
    t : float > 0 or array_like/Tensor of shape (N,)
    eps : float ≥ 0

    Returns
    -------
    R : ndarray or Tensor of shape (N,), detached. numpy in → numpy out (float64 by default).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from hjlib import hopf_cole, pde_residual
    >>> y = torch.tensor([-1.0, 0.5], dtype=torch.float64); g = torch.tensor([0.0, 0.2], dtype=torch.float64)
    >>> R = pde_residual(lambda x, t: hopf_cole(x, y, g, t, 0.3), np.linspace(-1, 1, 5), 1.0, 0.3)
    >>> np.allclose(R, -0.3 / 2)          # −εd/(2t): the unnormalised source
    True
    """
    eps = check_eps(eps)
    be = backend_of(x, t)
    xt = as_tensor(x, "x", be)
    if xt.ndim not in (1, 2):
        raise ValueError(f"x must have shape (N, d) or (N,), got {tuple(xt.shape)}")
    N = xt.shape[0]
    tt = as_tensor(t, "t", be)
    if tt.ndim == 0:
        tt = tt.expand(N)
    if tt.shape != (N,):
        raise ValueError(f"t must be a number or have shape (N,) with N == {N}, got {tuple(tt.shape)}")
    if not (tt > 0).all():
        raise ValueError("t must be > 0 everywhere")
    xt = xt.detach().clone().requires_grad_(True)
    tt = tt.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        u = u_fn(xt, tt)
        if not isinstance(u, torch.Tensor) or u.shape != (N,):
            raise ValueError(f"u_fn(x, t) must return a tensor of shape (N,) == ({N},), got "
                             f"{getattr(u, 'shape', type(u).__name__)}")
        # allow_unused / materialize_grads: u may not depend on t, and its gradient may be
        # piecewise constant (an affine or Hopf–Lax-type u): the missing derivative is then 0.
        gx, gt = torch.autograd.grad(u.sum(), (xt, tt), create_graph=True, materialize_grads=True)

        def d_dx(v):
            if not v.requires_grad:  # v does not depend on x at all
                return torch.zeros_like(xt)
            return torch.autograd.grad(v.sum(), xt, retain_graph=True, materialize_grads=True)[0]

        if xt.ndim == 1:
            lap = d_dx(gx)
            grad_sq = gx * gx
        else:
            lap = torch.zeros_like(u)
            for k in range(xt.shape[1]):
                lap = lap + d_dx(gx[:, k])[:, k]
            grad_sq = (gx * gx).sum(1)
        R = gt + grad_sq - eps * lap
    return be.out(R.detach())
