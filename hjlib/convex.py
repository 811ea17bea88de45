r"""The convex view of Hopf–Cole and Hopf–Lax: entropy, Gibbs principle, Legendre transforms, grids.

Convention (the paper's): ∂ₜu + |∇u|² = εΔu, Hopf–Lax cost cⱼ(x) = gⱼ + |x − yⱼ|²/(4t).

The Gibbs variational principle says that the log-sum-exp is a maximum of "linear minus
ε × negative entropy" over the probability simplex Δ_N,

.. math::

    \mathrm{LSE}_\varepsilon(z) = \max_{\pi\in\Delta_N}
        \Big\{\langle \pi, z\rangle - \varepsilon\sum_j \pi_j\log\pi_j\Big\},
    \qquad \pi^\star = \mathrm{softmax}(z/\varepsilon),

so the discrete Hopf–Cole solution is an entropy-regularised Hopf–Lax problem,

.. math::

    u^N_\varepsilon(x,t) = \min_{\pi\in\Delta_N}
        \Big\{\sum_j \pi_j c_j(x) + \varepsilon \sum_j \pi_j \log\frac{\pi_j}{w_j}\Big\}

(wⱼ = 1 for the plain sum; quadrature weights make it a relative entropy). This module provides
the pieces to check that numerically without using the closed form: the objectives, a generic
mirror-descent solver on the simplex, a discrete Legendre–Fenchel transform, the normalised
midpoint-grid Hopf–Cole quadrature and the continuum solution for the datum g(y) = |y| on an
interval (closed form with normal CDFs).

All functions take and return NumPy arrays (float64).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.special import entr, log_ndtr

__all__ = [
    "entropy", "kl_divergence", "gibbs_objective", "hopf_lax_costs", "entropic_hopf_lax_objective",
    "mirror_descent_simplex", "legendre_transform", "midpoint_grid", "grid_hopf_cole",
    "hopf_cole_abs",
]


def _simplex_array(pi, name="pi") -> np.ndarray:
    p = np.asarray(pi, dtype=float)
    if p.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must be finite and >= 0")
    return p


def entropy(pi, axis: int = -1) -> np.ndarray:
    r"""Shannon entropy :math:`H(\pi) = -\sum_j \pi_j \log \pi_j` (with 0 log 0 = 0).

    Parameters
    ----------
    pi : array_like, shape (..., N), entries ≥ 0
        Usually a probability vector (then 0 ≤ H ≤ log N); not renormalised here.
    axis : int
        Axis summed over.

    Returns
    -------
    ndarray of shape pi.shape without ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import entropy
    >>> float(entropy(np.full(4, 0.25))) == float(np.log(4))
    True
    """
    p = _simplex_array(pi)
    return entr(p).sum(axis=axis)


def kl_divergence(p, q, axis: int = -1) -> np.ndarray:
    r"""Relative entropy :math:`\mathrm{KL}(p\,\|\,q) = \sum_j p_j \log(p_j/q_j)` (0 log 0/q = 0).

    ``q`` need not be normalised (a reference measure, e.g. quadrature weights); then the value is
    Σ p log(p/q), which can be negative. It is +inf if some pⱼ > 0 has qⱼ = 0.

    Shapes: p, q broadcastable, (..., N) → (...).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import kl_divergence
    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    p = _simplex_array(p, "p")
    q = _simplex_array(q, "q")
    p, q = np.broadcast_arrays(p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return terms.sum(axis=axis)


def gibbs_objective(pi, z, eps: float) -> np.ndarray:
    r"""The Gibbs objective :math:`\langle \pi, z\rangle + \varepsilon H(\pi)` (maximised by softmax(z/ε)).

    Shapes: pi, z broadcastable (..., N) → (...). Its maximum over the simplex is LSE_ε(z).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import gibbs_objective
    >>> z = np.array([0.0, 0.0]); float(gibbs_objective([0.5, 0.5], z, 1.0)) == float(np.log(2))
    True
    """
    p = _simplex_array(pi)
    z = np.asarray(z, dtype=float)
    return (p * z).sum(-1) + eps * entropy(p)


def hopf_lax_costs(x, y, g, t: float) -> np.ndarray:
    r"""Hopf–Lax costs :math:`c_{ij} = g_j + |x_i - y_j|^2/(4t)` for every point and atom.

    Parameters
    ----------
    x : array_like, shape (..., d), or (...) when y is 1-D
    y : array_like, shape (M, d) or (M,)
    g : array_like, shape (M,)
    t : float > 0

    Returns
    -------
    ndarray, shape (..., M). ``min`` over the last axis is the Hopf–Lax value u₀(x, t);
    ``softmin`` at temperature ε is the discrete Hopf–Cole value.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import hopf_lax_costs
    >>> hopf_lax_costs(np.array([0.0]), np.array([0.0, 2.0]), np.array([1.0, 0.0]), 1.0)
    array([[1., 1.]])
    """
    if not (isinstance(t, (int, float)) and t > 0 and math.isfinite(t)):
        raise ValueError(f"t must be a finite number > 0, got {t!r}")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    g = np.asarray(g, dtype=float)
    if y.ndim == 1:
        sq = (x[..., None] - y) ** 2
    elif y.ndim == 2:
        if x.shape[-1:] != y.shape[1:]:
            raise ValueError(f"x must have shape (..., {y.shape[1]}), got {x.shape}")
        sq = ((x[..., None, :] - y) ** 2).sum(-1)
    else:
        raise ValueError(f"y must have shape (M, d) or (M,), got {y.shape}")
    if g.shape != (y.shape[0],):
        raise ValueError(f"g must have shape ({y.shape[0]},), got {g.shape}")
    return g + sq / (4 * t)


def entropic_hopf_lax_objective(pi, costs, eps: float, weights=None) -> np.ndarray:
    r"""Entropy-regularised Hopf–Lax objective :math:`\sum_j \pi_j c_j + \varepsilon \sum_j \pi_j\log(\pi_j/w_j)`.

    Its minimum over the simplex is the discrete Hopf–Cole value
    −ε log Σⱼ wⱼ e^{−cⱼ/ε} (wⱼ = 1 by default): the Gibbs principle with z = −c.

    Shapes: pi, costs (..., M) → (...); weights (M,) optional, > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import entropic_hopf_lax_objective
    >>> float(entropic_hopf_lax_objective([1.0, 0.0], [0.3, 2.0], 0.1))   # a vertex: no entropy
    0.3
    """
    p = _simplex_array(pi)
    c = np.asarray(costs, dtype=float)
    w = np.ones(p.shape[-1]) if weights is None else _simplex_array(weights, "weights")
    return (p * c).sum(-1) + eps * kl_divergence(p, w)


def mirror_descent_simplex(grad: Callable, pi0, *, step: float, n_steps: int = 1000,
                           tol: float = 0.0):
    r"""Minimise a convex function on the simplex by mirror descent with the entropy mirror map.

    The exponentiated-gradient update (computed in log space, so tiny weights do not underflow)

    .. math::

        \log \pi^{k+1}_j = \log \pi^k_j - \eta\, \partial_j F(\pi^k) - \log Z_k,
        \qquad Z_k \text{ normalises } \pi^{k+1},

    uses only the gradient of F: no closed form of the minimiser. For maximisation pass −∇F.

    Parameters
    ----------
    grad : callable
        ``grad(pi) -> ndarray`` of shape (N,), the gradient of F at pi (pi has no zero entry).
    pi0 : array_like, shape (N,)
        Starting point with positive entries (renormalised).
    step : float > 0
        Step size η.
    n_steps : int
        Maximal number of iterations.
    tol : float ≥ 0
        Stop when max |log π^{k+1} − log π^k| ≤ tol.

    Returns
    -------
    pi : ndarray, shape (N,)
    n_iter : int
        Iterations performed.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import mirror_descent_simplex
    >>> c, eps = np.array([0.0, 1.0]), 0.5                 # min <pi, c> + eps sum pi log pi
    >>> pi, k = mirror_descent_simplex(lambda p: c + eps * (1 + np.log(p)), [0.5, 0.5],
    ...                                step=1.0, n_steps=200, tol=1e-15)
    >>> np.allclose(pi, np.exp(-c / eps) / np.exp(-c / eps).sum())
    True
    """
    if not (step > 0 and math.isfinite(step)):
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    p = _simplex_array(pi0, "pi0")
    if p.ndim != 1 or np.any(p <= 0):
        raise ValueError("pi0 must be a 1-D vector with positive entries")
    logp = np.log(p / p.sum())
    k = 0
    for k in range(1, int(n_steps) + 1):
        gr = np.asarray(grad(np.exp(logp)), dtype=float)
        new = logp - step * gr
        new -= new.max()
        new -= np.log(np.exp(new).sum())
        change = np.abs(new - logp).max()
        logp = new
        if change <= tol:
            break
    return np.exp(logp), k


def legendre_transform(xs, fx, ps, *, return_argmax: bool = False, block: int = 1 << 20):
    r"""Discrete Legendre–Fenchel transform :math:`f^*(p) = \max_i \{\langle p, x_i\rangle - f(x_i)\}`.

    The conjugate of the function that equals f(xᵢ) at the grid points and +∞ elsewhere; for a
    convex f on an interval it approximates the true conjugate for slopes p that f attains on the
    grid (error O(h²) for smooth f and grid spacing h).

    Parameters
    ----------
    xs : array_like, shape (M,) or (M, d)
        Grid points.
    fx : array_like, shape (M,)
        Values f(xᵢ) (``+inf`` removes a point).
    ps : array_like, shape (...,) when xs is 1-D, (..., d) otherwise
        Slopes at which to evaluate f*.
    return_argmax : bool
        Also return the index of the maximising grid point.
    block : int
        Maximal number of (p, x) pairs held at once.

    Returns
    -------
    fstar : ndarray, shape ps.shape (1-D) or ps.shape[:-1]
    argmax : ndarray of int, same shape (if requested)

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import legendre_transform
    >>> xs = np.linspace(-3, 3, 6001)
    >>> bool(np.allclose(legendre_transform(xs, xs**2, np.array([0.0, 1.0, 2.0])), [0, 0.25, 1]))
    True
    """
    xs = np.asarray(xs, dtype=float)
    fx = np.asarray(fx, dtype=float)
    ps = np.asarray(ps, dtype=float)
    if fx.shape != (xs.shape[0],):
        raise ValueError(f"fx must have shape ({xs.shape[0]},), got {fx.shape}")
    if xs.ndim == 1:
        batch = ps.shape
        P = ps.reshape(-1, 1)
        X = xs.reshape(-1, 1)
    elif xs.ndim == 2:
        if ps.shape[-1:] != xs.shape[1:]:
            raise ValueError(f"ps must have shape (..., {xs.shape[1]}), got {ps.shape}")
        batch = ps.shape[:-1]
        P = ps.reshape(-1, xs.shape[1])
        X = xs
    else:
        raise ValueError(f"xs must have shape (M,) or (M, d), got {xs.shape}")
    n = P.shape[0]
    out = np.empty(n)
    arg = np.empty(n, dtype=np.int64)
    rows = max(1, block // max(X.shape[0], 1))
    for i0 in range(0, n, rows):
        S = P[i0:i0 + rows] @ X.T - fx
        j = S.argmax(1)
        arg[i0:i0 + rows] = j
        out[i0:i0 + rows] = S[np.arange(S.shape[0]), j]
    if return_argmax:
        return out.reshape(batch), arg.reshape(batch)
    return out.reshape(batch)


def midpoint_grid(lo: float, hi: float, N: int):
    """Cell centres yⱼ = lo + (j + ½)h of N equal cells of [lo, hi], and the cell width h.

    Examples
    --------
    >>> from hjlib.convex import midpoint_grid
    >>> midpoint_grid(0.0, 1.0, 4)
    (array([0.125, 0.375, 0.625, 0.875]), 0.25)
    """
    if not (hi > lo) or not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"need finite lo < hi, got {lo!r}, {hi!r}")
    if isinstance(N, bool) or int(N) != N or N < 1:
        raise ValueError(f"N must be a positive integer, got {N!r}")
    N = int(N)
    h = (hi - lo) / N
    return lo + h * (np.arange(N) + 0.5), h


def grid_hopf_cole(x, g: Callable, lo: float, hi: float, N: int, t: float, eps: float):
    r"""Normalised N-point grid Hopf–Cole solution: a quadrature of the continuum formula.

    With the midpoint grid yⱼ, cell width h = (hi − lo)/N and gⱼ = g(yⱼ) (1-D),

    .. math::

        u^N_\varepsilon(x,t) = -\varepsilon\log\sum_{j=1}^N h\,(4\pi\varepsilon t)^{-1/2}
            e^{-(g_j + |x-y_j|^2/4t)/\varepsilon}
        = u^{N,\mathrm{raw}}_\varepsilon - \varepsilon\log h + \tfrac{\varepsilon}{2}\log(4\pi\varepsilon t),

    the midpoint rule for :math:`-\varepsilon\log\int_{lo}^{hi}(4\pi\varepsilon t)^{-1/2}
    e^{-(g(y)+|x-y|^2/4t)/\varepsilon}dy`, so it converges to the continuum viscous solution
    (datum g on [lo, hi], +∞ outside) as N → ∞ at fixed ε > 0. Both corrections are needed: the
    cell volume h (otherwise u drifts like ε log h → −∞) and the heat-kernel constant. ``eps = 0``
    gives the discrete Hopf–Lax value minⱼ(gⱼ + |x − yⱼ|²/(4t)), the ε → 0 limit at fixed N.

    Parameters
    ----------
    x : array_like, shape (...)
        Evaluation points (1-D space).
    g : callable
        The datum, vectorised: ``g(y)`` for an array y.
    lo, hi : float
        The interval carrying the datum.
    N : int
        Number of grid cells (atoms).
    t : float > 0
    eps : float ≥ 0

    Returns
    -------
    u : ndarray, shape of x.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import grid_hopf_cole, hopf_cole_abs
    >>> x = np.array([-0.5, 0.0, 0.5])
    >>> u = grid_hopf_cole(x, np.abs, -2.0, 2.0, 4096, 0.25, 0.1)
    >>> bool(np.allclose(u, hopf_cole_abs(x, 0.25, 0.1, half_width=2.0), atol=1e-6))
    True
    """
    from .hopf import hopf_cole, hopf_lax

    y, h = midpoint_grid(lo, hi, N)
    gy = np.asarray(g(y), dtype=float)
    x = np.asarray(x, dtype=float)
    if eps == 0:
        return np.asarray(hopf_lax(x, y, gy, t))
    raw = np.asarray(hopf_cole(x, y, gy, t, eps))
    return raw - eps * math.log(h) + (eps / 2) * math.log(4 * math.pi * eps * t)


def _log_ndtr_diff(a, b):
    """log(Φ(b) − Φ(a)) for a < b, accurate in both tails."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    upper = a > 0                            # both in the upper tail: use Φ(−a) − Φ(−b)
    la = np.where(upper, log_ndtr(-a), log_ndtr(b))
    lb = np.where(upper, log_ndtr(-b), log_ndtr(a))
    with np.errstate(divide="ignore"):
        return la + np.log1p(-np.exp(lb - la))


def hopf_cole_abs(x, t: float, eps: float, *, half_width: float = math.inf):
    r"""Continuum viscous solution for the datum g(y) = |y| on [−L, L] (+∞ outside), closed form.

    .. math::

        u_\varepsilon(x,t) = -\varepsilon \log \int_{-L}^{L} (4\pi\varepsilon t)^{-1/2}
            e^{-(|y| + (x-y)^2/4t)/\varepsilon}\,dy
        = -\varepsilon\log\Big(e^{-(x-t)/\varepsilon}\big[\Phi(\tfrac{L-m_+}{\sigma})-\Phi(\tfrac{-m_+}{\sigma})\big]
          + e^{(x+t)/\varepsilon}\big[\Phi(\tfrac{-m_-}{\sigma})-\Phi(\tfrac{-L-m_-}{\sigma})\big]\Big)

    with m± = x ∓ 2t, σ = √(2εt) and Φ the standard normal CDF (completing the square on each
    half). It solves ∂ₜu + u_x² = εu_xx exactly. ``half_width = inf`` is the whole-line datum |y|
    (= ``hjlib.exact.two_slope(x, t, eps, -1, 1)``). ``eps = 0``: the Hopf–Lax value
    min_{|y| ≤ L} (|y| + (x − y)²/(4t)), Huber-like: x²/(4t) for |x| ≤ 2t, |x| − t beyond
    (until the constraint |y| ≤ L binds).

    Parameters
    ----------
    x : array_like
        Points (1-D space).
    t : float > 0
    eps : float ≥ 0
    half_width : float > 0
        L.

    Returns
    -------
    ndarray of x's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib.convex import hopf_cole_abs
    >>> hopf_cole_abs(np.array([0.0, 0.5, 2.0]), 1.0, 0.0)
    array([0.    , 0.0625, 1.    ])
    """
    if not (t > 0 and math.isfinite(t)):
        raise ValueError(f"t must be a finite number > 0, got {t!r}")
    if not (eps >= 0 and math.isfinite(eps)):
        raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
    L = float(half_width)
    if not L > 0:
        raise ValueError(f"half_width must be > 0, got {half_width!r}")
    x = np.asarray(x, dtype=float)
    if eps == 0:
        ystar = np.where(np.abs(x) <= 2 * t, 0.0, x - 2 * t * np.sign(x))
        ystar = np.clip(ystar, -L, L)
        return np.abs(ystar) + (x - ystar) ** 2 / (4 * t)
    s = math.sqrt(2 * eps * t)
    mp, mm = x - 2 * t, x + 2 * t
    log_plus = -(x - t) / eps + _log_ndtr_diff(-mp / s, (L - mp) / s)
    log_minus = (x + t) / eps + _log_ndtr_diff((-L - mm) / s, -mm / s)
    return -eps * np.logaddexp(log_plus, log_minus)
