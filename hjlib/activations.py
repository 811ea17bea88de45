r"""Activation functions as log-sum-exp layers (or their derivatives), and where that stops.

Convention (the paper's): an LSE layer is f(x) = ε log Σⱼ exp((Wⱼ·x + bⱼ)/ε), and with
Wⱼ = yⱼ/(2t), bⱼ = −gⱼ − |yⱼ|²/(4t) it satisfies f + u = |x|²/(4t), u the discrete Hopf–Cole
solution of ∂ₜu + |∇u|² = εΔu. This module collects the two-neuron special cases:

* :func:`softplus` — ε log(1 + e^{z/ε}) = LSE_ε(z, 0), whose ε → 0 limit is the ReLU;
* :func:`relu_initial_data` — the Hopf–Cole / Hopf–Lax initial data of that two-neuron layer,
  y = {0, 2t w}, g = {0, −t|w|²}, for which |x|²/(4t) − u₀(x, t) = max(w·x, 0) exactly;
* :func:`convexity_defect` — how far a sampled function is from being convex, which bounds
  from below its uniform distance to *every* LSE layer (all LSE layers are convex).
"""
from __future__ import annotations

import numpy as np
import torch

from ._checks import as_tensor, backend_of, check_eps, check_t

__all__ = ["softplus", "relu_initial_data", "convexity_defect"]


def softplus(z, eps: float = 1.0):
    r"""Temperature-ε softplus, the two-entry log-sum-exp LSE_ε(z, 0).

    .. math::

        \mathrm{softplus}_\varepsilon(z) = \varepsilon \log\big(1 + e^{z/\varepsilon}\big)
        = \mathrm{LSE}_\varepsilon(z, 0)
        = \max(z, 0) + \varepsilon \log\big(1 + e^{-|z|/\varepsilon}\big),

    evaluated in the last (overflow-free) form. ``eps = 0`` gives the ReLU max(z, 0), the ε → 0
    limit; for every z, 0 ≤ softplus_ε(z) − max(z, 0) ≤ ε log 2, with equality only at z = 0.

    Parameters
    ----------
    z : array_like or torch.Tensor, any shape
    eps : float ≥ 0

    Returns
    -------
    ndarray or Tensor of z's shape (numpy in → numpy out; torch in → torch out, dtype and device
    kept, differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.activations import softplus
    >>> softplus(np.array([-1000.0, 1000.0]), 1.0)       # no overflow
    array([   0., 1000.])
    >>> float(softplus(np.array(0.0), 0.5))              # the largest gap: ε log 2 at z = 0
    0.34657359027997264
    """
    eps = check_eps(eps)
    be = backend_of(z)
    zt = as_tensor(z, "z", be)
    relu = torch.clamp(zt, min=0)
    if eps == 0:
        return be.out(relu)
    return be.out(relu + eps * torch.log1p(torch.exp(-zt.abs() / eps)))


def relu_initial_data(t: float = 1.0, w=None):
    r"""Initial data whose Hopf–Cole (Hopf–Lax at ε = 0) solution encodes the ReLU.

    With atoms y = {0, 2t w} and values g = {0, −t|w|²} the LSE-layer parameters are
    W = {0, w}, b = {0, 0}, so

    .. math::

        \frac{|x|^2}{4t} - u_0(x, t) = \max(w\cdot x, 0), \qquad
        \frac{|x|^2}{4t} - u^N_\varepsilon(x, t) = \mathrm{softplus}_\varepsilon(w\cdot x),

    with u₀ = :func:`hjlib.hopf_lax` and u^N_ε = :func:`hjlib.hopf_cole` (unnormalised).

    Parameters
    ----------
    t : float > 0
    w : array_like, shape (d,), optional
        Direction of the ReLU; default: the scalar ReLU (d = 1, w = 1).

    Returns
    -------
    y : ndarray, shape (2,) if ``w`` is None, else (2, d)
    g : ndarray, shape (2,)

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import hopf_lax
    >>> from hjlib.activations import relu_initial_data
    >>> y, g = relu_initial_data(t=1.0)
    >>> y, g
    (array([0., 2.]), array([ 0., -1.]))
    >>> x = np.array([-1.0, 0.5, 3.0])
    >>> x**2 / 4 - hopf_lax(x, y, g, 1.0)
    array([0. , 0.5, 3. ])
    """
    t = float(check_t(t, backend_of(np.zeros(1)), ()))
    if w is None:
        return np.array([0.0, 2 * t]), np.array([0.0, -t])
    w = np.asarray(w, dtype=float)
    if w.ndim != 1 or not np.all(np.isfinite(w)):
        raise ValueError(f"w must be a finite vector of shape (d,), got shape {w.shape}")
    y = np.stack([np.zeros_like(w), 2 * t * w])
    return y, np.array([0.0, -t * float(w @ w)])


def convexity_defect(z, values):
    r"""Largest violation of convexity by samples (zᵢ, vᵢ), and where it occurs.

    .. math::

        \delta = \max_{a < b < c} \Big( v_b - \big[\lambda v_a + (1-\lambda) v_c\big] \Big),
        \qquad \lambda = \frac{z_c - z_b}{z_c - z_a},

    the largest height of a sample above a chord (δ ≤ 0 iff the samples are convex). It bounds
    the uniform distance to every convex function φ from below: if |φ − v| ≤ η at the three
    points then δ ≤ 2η, so ``max_i |φ(z_i) − v_i| ≥ δ/2``. Every LSE layer (any width, any
    ε ≥ 0) is convex, so δ/2 is a lower bound on how well *any* of them can match v on the grid;
    ``convexity_defect(z, -values)`` does the same for concave functions (e.g. −LSE).

    Parameters
    ----------
    z : array_like, shape (n,), strictly increasing
    values : array_like, shape (n,)

    Returns
    -------
    delta : float
    (a, b, c) : tuple of float, the three abscissae attaining δ

    Notes
    -----
    Exhaustive O(n³) search in NumPy, vectorised over (b, c) for each a; fine for n ≲ 400.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.activations import convexity_defect
    >>> z = np.linspace(-1, 1, 5)
    >>> convexity_defect(z, -z**2)[0]        # −z² sits 1 above the chord from −1 to 1 at 0
    1.0
    """
    z = np.asarray(z, dtype=float)
    v = np.asarray(values, dtype=float)
    if z.ndim != 1 or v.shape != z.shape or z.size < 3:
        raise ValueError(f"z and values must be 1-D of the same length ≥ 3, got {z.shape}, {v.shape}")
    if not (np.all(np.isfinite(z)) and np.all(np.isfinite(v))):
        raise ValueError("z and values must be finite")
    if not np.all(np.diff(z) > 0):
        raise ValueError("z must be strictly increasing")
    n = z.size
    best, arg = -np.inf, (z[0], z[1], z[2])
    B, C = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    for a in range(n - 2):
        mask = (B > a) & (C > B)
        if not mask.any():
            continue
        b, c = B[mask], C[mask]
        lam = (z[c] - z[b]) / (z[c] - z[a])
        gap = v[b] - (lam * v[a] + (1 - lam) * v[c])
        k = int(np.argmax(gap))
        if gap[k] > best:
            best, arg = float(gap[k]), (float(z[a]), float(z[b[k]]), float(z[c[k]]))
    return best, arg
