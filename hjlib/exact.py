r"""Closed-form solutions of ∂ₜu + |∇u|² = εΔu (the paper's convention), for tests and chapters.

Every function takes ``(x, t, eps, ...)`` and follows the package's array rules (numpy in → numpy
out, torch in → torch out, differentiable; float64 by default). ``eps = 0`` returns the Hopf–Lax
(viscosity) solution, the ε → 0 limit. All are derived from the Hopf–Cole formula

.. math::

    u(x,t) = -\varepsilon \log \int (4\pi\varepsilon t)^{-d/2}
             \exp\Big(-\frac{g(y) + |x-y|^2/(4t)}{\varepsilon}\Big)\,dy

and checked in tests/test_hjlib_exact.py against quadrature and against :func:`hjlib.pde_residual`.

=====================  ==========================================================================
function               initial datum g
=====================  ==========================================================================
:func:`quadratic`      (a/2)|y|² in any dimension (a > −1/(2t) for the time asked)
:func:`point_supported` gⱼ at atoms yⱼ, +∞ elsewhere (the normalised discrete Hopf–Cole sum)
:func:`two_slope`      a·y for y < 0, b·y for y ≥ 0 (1-D; a < b: rarefaction, a > b: shock)
:func:`viscous_shock`  −ε log(e^{−ay/ε} + e^{−by/ε}) (1-D; a travelling viscous shock/front)
=====================  ==========================================================================
"""
from __future__ import annotations

import math

import torch

from ._checks import as_tensor, backend_of, check_eps, check_finite

__all__ = ["quadratic", "point_supported", "two_slope", "viscous_shock"]


def _time(t, be, allow_zero=True):
    """t as a Python float (≥ 0 / > 0) or a tensor of positive times."""
    if isinstance(t, (torch.Tensor,)) or hasattr(t, "shape"):
        tt = as_tensor(t, "t", be)
        if tt.ndim == 0 and not tt.requires_grad:
            t = float(tt.item())
        else:
            if not torch.isfinite(tt).all() or not (tt > 0).all():
                raise ValueError("t must be finite and > 0 everywhere")
            return tt
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise TypeError(f"t must be a finite number >= 0 or a tensor, got {type(t).__name__}") from None
    if not math.isfinite(t) or t < 0 or (t == 0 and not allow_zero):
        raise ValueError(f"t must be a finite number {'>= 0' if allow_zero else '> 0'}, got {t!r}")
    return t


def _real(v, name):
    if isinstance(v, bool):
        raise TypeError(f"{name} must be a real number, got bool")
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(v).__name__}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v!r}")
    return v


def quadratic(x, t, eps, a=1.0):
    r"""Quadratic datum g(y) = (a/2)|y|²:

    .. math::

        u(x,t) = \frac{a|x|^2}{2(1+2at)} + \frac{\varepsilon d}{2}\log(1+2at).

    The first term is the Hopf–Lax value (also the ε = 0 solution); the second is the viscous
    correction. Valid while 1 + 2at > 0 (a < 0 blows up at t = −1/(2a)).

    Shapes: x (..., d) → (...). t float ≥ 0 or tensor broadcastable to x.shape[:-1].

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.exact import quadratic
    >>> float(quadratic(np.array([1.0]), 1.0, 0.0, a=1.0))   # a/(2(1+2a t))
    0.16666666666666666
    """
    eps = check_eps(eps)
    a = _real(a, "a")
    be = backend_of(x, t if isinstance(t, torch.Tensor) else None)
    xt = as_tensor(x, "x", be)
    if xt.ndim == 0:
        raise ValueError("x must have shape (..., d); for 1-D points use x[..., None]")
    check_finite(xt, "x")
    t = _time(t, be)
    d = xt.shape[-1]
    k = 1 + 2 * a * t
    if (isinstance(k, float) and k <= 0) or (isinstance(k, torch.Tensor) and not (k > 0).all()):
        raise ValueError(f"need 1 + 2*a*t > 0 (the solution blows up at t = -1/(2a)); a={a}")
    u = a * (xt * xt).sum(-1) / (2 * k)
    if eps > 0:
        u = u + (eps * d / 2) * (torch.log(k) if isinstance(k, torch.Tensor) else math.log(k))
    return be.out(u)


def point_supported(x, t, eps, y, g):
    r"""Atomic datum (gⱼ at yⱼ, +∞ elsewhere): the normalised discrete Hopf–Cole sum

    .. math::

        u(x,t) = -\varepsilon\log\sum_j \exp\Big(-\frac{g_j+|x-y_j|^2/(4t)}{\varepsilon}\Big)
                 + \frac{\varepsilon d}{2}\log(4\pi\varepsilon t),

    an exact solution of the homogeneous equation for t > 0 (w = e^{−u/ε} is a sum of heat
    kernels). ε = 0: the Hopf–Lax value minⱼ(gⱼ + |x − yⱼ|²/(4t)). Evaluated directly from the
    differences x − yⱼ (an implementation independent of :func:`hjlib.hopf_cole`).

    Shapes: x (..., d), y (M, d), g (M,) → (...); 1-D: x (...), y (M,).
    """
    eps = check_eps(eps)
    be = backend_of(x, y, g, t if isinstance(t, torch.Tensor) else None)
    xt, yt, gt = as_tensor(x, "x", be), as_tensor(y, "y", be), as_tensor(g, "g", be)
    if yt.ndim == 1:
        xt, yt = xt[..., None], yt[:, None]
    if yt.ndim != 2 or xt.shape[-1] != yt.shape[1] or gt.shape != (yt.shape[0],):
        raise ValueError(f"need x (..., d), y (M, d), g (M,); got {tuple(xt.shape)}, "
                         f"{tuple(yt.shape)}, {tuple(gt.shape)}")
    t = _time(t, be, allow_zero=False)
    tt = t if isinstance(t, float) else t[..., None]
    d = yt.shape[1]
    cost = gt + ((xt[..., None, :] - yt) ** 2).sum(-1) / (4 * tt)
    if eps == 0:
        return be.out(cost.amin(-1))
    u = -eps * torch.logsumexp(-cost / eps, -1)
    logk = math.log(4 * math.pi * eps * t) if isinstance(t, float) else torch.log(4 * math.pi * eps * t)
    return be.out(u + (eps * d / 2) * logk)


def two_slope(x, t, eps, a, b):
    r"""Two-slope 1-D datum g(y) = a·y (y < 0), b·y (y ≥ 0):

    .. math::

        u = -\varepsilon\log\Big[e^{-(ax-a^2t)/\varepsilon}\,\Phi\Big(\frac{2at-x}{\sqrt{2\varepsilon t}}\Big)
              + e^{-(bx-b^2t)/\varepsilon}\,\Phi\Big(\frac{x-2bt}{\sqrt{2\varepsilon t}}\Big)\Big]

    (Φ the standard normal CDF), evaluated as −ε·logaddexp of the two log-terms with
    ``log_ndtr`` so it stays finite and accurate for tiny ε. a < b: a rarefaction fan
    (u → x²/(4t) for 2at < x < 2bt); a > b: a viscous shock at x = (a + b)t. ε = 0: Hopf–Lax
    min(ℓ_a, ℓ_b) with ℓ_a = ax − a²t if x ≤ 2at else x²/(4t), ℓ_b = bx − b²t if x ≥ 2bt else
    x²/(4t). t = 0 returns the datum.

    Shapes: x any shape (1-D points) → same shape.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.exact import two_slope
    >>> u = two_slope(np.array([-3.0, 0.5, 3.0]), 1.0, 1e-6, a=-1.0, b=1.0)
    >>> np.round(u, 4)     # linear, x²/(4t) in the fan, linear
    array([2.    , 0.0625, 2.    ])
    """
    eps = check_eps(eps)
    a, b = _real(a, "a"), _real(b, "b")
    be = backend_of(x, t if isinstance(t, torch.Tensor) else None)
    xt = as_tensor(x, "x", be)
    check_finite(xt, "x")
    t = _time(t, be)
    if isinstance(t, float) and t == 0:
        return be.out(torch.where(xt < 0, a * xt, b * xt))
    if eps == 0:
        q = xt * xt / (4 * t)
        la = torch.where(xt <= 2 * a * t, a * xt - a * a * t, q)
        lb = torch.where(xt >= 2 * b * t, b * xt - b * b * t, q)
        return be.out(torch.minimum(la, lb))
    s = (2 * eps * t) ** 0.5
    La = -(a * xt - a * a * t) / eps + torch.special.log_ndtr((2 * a * t - xt) / s)
    Lb = -(b * xt - b * b * t) / eps + torch.special.log_ndtr((xt - 2 * b * t) / s)
    return be.out(-eps * torch.logaddexp(La, Lb))


def viscous_shock(x, t, eps, a, b):
    r"""Travelling viscous front: datum g(y) = −ε log(e^{−ay/ε} + e^{−by/ε}), solution

    .. math::

        u(x,t) = -\varepsilon\log\big(e^{-(ax-a^2t)/\varepsilon} + e^{-(bx-b^2t)/\varepsilon}\big),

    since each e^{−(kx−k²t)/ε} solves the heat equation ∂ₜw = εw_xx. Its gradient
    p = u_x goes from max(a,b) (left) to min(a,b) (right) through a tanh profile of width
    ε/|a − b| centred at x = (a + b)t, travelling at the Rankine–Hugoniot speed a + b of
    pₜ + (p²)ₓ = εp_xx. ε = 0: min(ax − a²t, bx − b²t).

    Shapes: x any shape (1-D points) → same shape. t ≥ 0 (t = 0 gives the datum).
    """
    eps = check_eps(eps)
    a, b = _real(a, "a"), _real(b, "b")
    be = backend_of(x, t if isinstance(t, torch.Tensor) else None)
    xt = as_tensor(x, "x", be)
    check_finite(xt, "x")
    t = _time(t, be)
    la = a * xt - a * a * t
    lb = b * xt - b * b * t
    if eps == 0:
        return be.out(torch.minimum(la, lb))
    return be.out(-eps * torch.logaddexp(-la / eps, -lb / eps))
