r"""Viscous Hamilton–Jacobi helpers: the continuum Hopf–Cole integral by adaptive quadrature,
the viscous Burgers residual, and observed orders of convergence.

Convention (the paper's): ∂ₜu + |∇u|² = εΔu, u(·,0) = g. The Hopf–Cole transform w = e^{−u/ε}
turns it into the heat equation ∂ₜw = εΔw, so

.. math::

    u_\varepsilon(x,t) = -\varepsilon\log\int_{\mathbb R^d}(4\pi\varepsilon t)^{-d/2}
        \exp\Big(-\frac{g(y)+|x-y|^2/(4t)}{\varepsilon}\Big)\,dy ,

and v = ∇u solves the viscous Burgers equation ∂ₜv + ∇|v|² = εΔv.

These helpers are independent of :func:`hjlib.hopf_cole` (which evaluates finite sums) so that
chapters and tests can check one against the other.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ._checks import as_tensor, backend_of, check_eps

__all__ = ["hopf_cole_integral_1d", "burgers_residual", "observed_order"]


def hopf_cole_integral_1d(x, g, t, eps, *, lo, hi, n_scan: int = 4001, normalized: bool = True):
    r"""Continuum Hopf–Cole solution in 1-D by adaptive quadrature (scipy.integrate.quad).

    .. math::

        u_\varepsilon(x,t) = \varphi_* - \varepsilon\log\Big[(4\pi\varepsilon t)^{-1/2}
            \int_{lo}^{hi} e^{-(\varphi(y)-\varphi_*)/\varepsilon}\,dy\Big],
        \qquad \varphi(y) = g(y) + \frac{(x-y)^2}{4t},\quad \varphi_* = \min\varphi .

    Subtracting the minimum φ* (located by a scan of ``n_scan`` points on [lo, hi] and refined
    with a bounded scalar minimisation) is the "max-shift" of the log-sum-exp: the integrand
    is ≤ 1 and equals 1 at the peak, so nothing overflows or underflows for small ε, and the
    peak is passed to ``quad`` as a breakpoint.

    Parameters
    ----------
    x : float or 1-D array_like
        Evaluation points.
    g : callable
        Initial datum, ``g(y)`` for a float or a NumPy array y.
    t : float > 0
    eps : float > 0
    lo, hi : float
        Integration interval; it must hold all but a negligible part of the mass of
        e^{−φ/ε} for every x asked (e.g. the minimiser ± 40·√(εt) for data growing at most
        linearly).
    n_scan : int
        Points of the scan that locates the minimiser.
    normalized : bool
        Include the heat-kernel factor (4πεt)^{−1/2} (the exact solution). ``False`` drops it,
        i.e. returns the value minus (ε/2) log(4πεt).

    Returns
    -------
    u : ndarray of shape ``np.shape(x)`` (float64).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.viscous import hopf_cole_integral_1d
    >>> u = hopf_cole_integral_1d(1.0, lambda y: 0.5 * y**2, 1.0, 0.1, lo=-10, hi=10)
    >>> bool(abs(u - (1 / 6 + 0.05 * np.log(3))) < 1e-10)     # closed form, a = 1
    True
    """
    from scipy.integrate import quad
    from scipy.optimize import minimize_scalar

    eps = check_eps(eps)
    if eps == 0:
        raise ValueError("hopf_cole_integral_1d needs eps > 0 (use hjlib.hopf_lax for eps = 0)")
    if not callable(g):
        raise TypeError(f"g must be a callable g(y), got {type(g).__name__}")
    t = float(t)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"t must be finite and > 0, got {t!r}")
    lo, hi = float(lo), float(hi)
    if not (lo < hi):
        raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
    xs = np.asarray(x, dtype=np.float64)
    ys = np.linspace(lo, hi, int(n_scan))
    dy = ys[1] - ys[0]
    gy = np.asarray(g(ys), dtype=np.float64)
    out = np.empty(xs.shape, dtype=np.float64)
    for idx, xv in np.ndenumerate(xs):
        phi_scan = gy + (xv - ys) ** 2 / (4 * t)
        k = int(np.argmin(phi_scan))
        a, b = max(lo, ys[k] - dy), min(hi, ys[k] + dy)

        def phi(y, xv=xv):
            return float(g(y)) + (xv - y) ** 2 / (4 * t)

        res = minimize_scalar(phi, bounds=(a, b), method="bounded", options={"xatol": 1e-12})
        y_star, phi_star = (res.x, res.fun) if res.fun < phi_scan[k] else (ys[k], phi_scan[k])
        integrand = lambda y, xv=xv: math.exp(-(phi(y, xv) - phi_star) / eps)  # noqa: E731
        val, _ = quad(integrand, lo, hi, points=[y_star], epsabs=0.0, epsrel=1e-13, limit=500)
        u = phi_star - eps * math.log(val)
        if normalized:
            u += 0.5 * eps * math.log(4 * math.pi * eps * t)
        out[idx] = u
    return out


def burgers_residual(v_fn, x, t, eps):
    r"""Residual of the 1-D viscous Burgers equation, by torch autograd.

    .. math::

        B(x,t) = \partial_t v + \partial_x (v^2) - \varepsilon\,\partial_{xx} v ,

    the x-derivative of the viscous HJ equation: if u solves ∂ₜu + u_x² = εu_xx then v = u_x
    gives B ≡ 0. (In d dimensions: ∂ₜv + ∇|v|² = εΔv with v = ∇u.)

    Parameters
    ----------
    v_fn : callable
        ``v_fn(x, t) -> v`` with x, t float64 tensors of shape (N,), returning shape (N,);
        differentiable twice in x and once in t with torch ops.
    x : array_like or Tensor, shape (N,)
    t : float > 0 or array_like/Tensor of shape (N,)
    eps : float ≥ 0

    Returns
    -------
    B : ndarray or Tensor of shape (N,), detached (numpy in → numpy out).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from hjlib.viscous import burgers_residual
    >>> v = lambda x, t: x / (1 + 2 * t)            # v = u_x for g = y²/2 (any ε)
    >>> bool(np.abs(burgers_residual(v, np.linspace(-1, 1, 5), 1.0, 0.3)).max() < 1e-14)
    True
    """
    eps = check_eps(eps)
    be = backend_of(x, t)
    xt = as_tensor(x, "x", be)
    if xt.ndim != 1:
        raise ValueError(f"x must have shape (N,), got {tuple(xt.shape)}")
    N = xt.shape[0]
    tt = as_tensor(t, "t", be)
    if tt.ndim == 0:
        tt = tt.expand(N)
    if tt.shape != (N,):
        raise ValueError(f"t must be a number or have shape (N,), got {tuple(tt.shape)}")
    if not (tt > 0).all():
        raise ValueError("t must be > 0 everywhere")
    xt = xt.detach().clone().requires_grad_(True)
    tt = tt.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        v = v_fn(xt, tt)
        if not isinstance(v, torch.Tensor) or v.shape != (N,):
            raise ValueError(f"v_fn(x, t) must return a tensor of shape ({N},)")
        vx, vt = torch.autograd.grad(v.sum(), (xt, tt), create_graph=True, allow_unused=True)
        vx = torch.zeros_like(v) if vx is None else vx
        vt = torch.zeros_like(v) if vt is None else vt
        vxx = None
        if vx.requires_grad:   # v affine in x: no second derivative in the graph
            vxx = torch.autograd.grad(vx.sum(), xt, allow_unused=True)[0]
        vxx = torch.zeros_like(v) if vxx is None else vxx
        B = vt + 2 * v * vx - eps * vxx
    return be.out(B.detach())


def observed_order(h, err):
    r"""Observed order of convergence: the least-squares slope p of log err = p·log h + c.

    Parameters
    ----------
    h : array_like, shape (K,), K ≥ 2
        Step sizes (or any positive parameter, e.g. ε for a vanishing-viscosity rate).
    err : array_like, shape (K,)
        Positive errors.

    Returns
    -------
    p : float
        err ≈ C·h^p over the range given.

    Examples
    --------
    >>> from hjlib.viscous import observed_order
    >>> round(observed_order([0.1, 0.05, 0.025], [0.02, 0.005, 0.00125]), 12)
    2.0
    """
    h = np.asarray(h, dtype=np.float64)
    err = np.asarray(err, dtype=np.float64)
    if h.ndim != 1 or h.shape != err.shape or h.size < 2:
        raise ValueError("h and err must be 1-D arrays of the same length >= 2")
    if not (np.all(h > 0) and np.all(err > 0)):
        raise ValueError("h and err must be positive (take absolute errors; an exact zero has no order)")
    return float(np.polyfit(np.log(h), np.log(err), 1)[0])
