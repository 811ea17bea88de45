r"""Characteristics, kinks and viscosity tests for ∂ₜu + |∇u|² = 0 (the inviscid case, ε = 0).

Convention (the paper's): H(p) = |p|², L(q) = |q|²/4, Hopf–Lax cost |x − y|²/(4t). The
characteristic system ẋ = ∇H(p) = 2p, ṗ = 0, u̇ = p·∇H(p) − H(p) = |p|² started at a point y
with p = ∇g(y) gives straight lines

.. math::

    x(t) = y + 2t\,\nabla g(y), \qquad u(x(t), t) = g(y) + t\,|\nabla g(y)|^2 ,

valid until characteristics cross. After that the Hopf–Lax (viscosity) solution keeps, at each
x, the cheapest of the characteristics arriving there, and has a kink where two tie.

Functions
---------
:func:`characteristics`        feet → (x(t), u along the characteristic)
:func:`minimizer_jump`         largest jump of the Hopf–Lax minimiser y*(x): a kink detector (1-D)
:func:`max_affine_evolution`   the naive "evolve each affine piece" formula maxᵢ(pᵢ·x − cᵢ − t|pᵢ|²)
:func:`affine_touch`           does an affine test function touch u from below/above at (x₀, t₀)? (1-D)
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .hopf import hopf_lax

__all__ = ["characteristics", "minimizer_jump", "max_affine_evolution", "affine_touch", "Touch"]


def characteristics(y, g, grad_g, t):
    r"""Points reached at time t by the characteristics of ∂ₜu + |∇u|² = 0, and u along them.

    .. math::

        x = y + 2t\,\nabla g(y), \qquad u = g(y) + t\,|\nabla g(y)|^2 .

    Parameters
    ----------
    y : array_like, shape (M,) (1-D) or (M, d)
        Feet of the characteristics.
    g : array_like, shape (M,)
        Initial values g(y).
    grad_g : array_like, shape of y
        Initial gradients ∇g(y).
    t : float ≥ 0

    Returns
    -------
    x : ndarray, shape of y
    u : ndarray, shape (M,)
        The value carried by each characteristic (the multivalued "classical" solution; the
        Hopf–Lax solution at x is the smallest u among characteristics arriving at x).

    Examples
    --------
    >>> import numpy as np
    >>> x, u = characteristics(np.array([0.0, 1.0]), np.array([0.0, 0.5]), np.array([0.0, 1.0]), 0.5)
    >>> x, u
    (array([0., 2.]), array([0., 1.]))
    """
    y = np.asarray(y, dtype=float)
    g = np.asarray(g, dtype=float)
    p = np.asarray(grad_g, dtype=float)
    if p.shape != y.shape:
        raise ValueError(f"grad_g must have the shape of y {y.shape}, got {p.shape}")
    if g.shape != (y.shape[0],):
        raise ValueError(f"g must have shape ({y.shape[0]},), got {g.shape}")
    t = float(t)
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"t must be a finite number >= 0, got {t!r}")
    p_sq = p * p if y.ndim == 1 else (p * p).sum(-1)
    return y + 2 * t * p, g + t * p_sq


def minimizer_jump(x, y, g, t) -> float:
    r"""Largest jump of the Hopf–Lax minimiser y*(x) between neighbouring evaluation points (1-D).

    With u₀(x,t) = minⱼ (gⱼ + (x − yⱼ)²/(4t)) and y*(x) the minimising atom, y* is a monotone
    function of x. Before characteristics cross it is continuous, so on a grid of spacing Δx its
    jumps are O(Δx) (precisely ≈ Δx·dy*/dx = Δx/(1 + 2t g''(y*)) for a smooth datum). After a
    kink has formed it jumps by a finite amount at the kink, whatever Δx is.

    Parameters
    ----------
    x : array_like, shape (n,)
        Evaluation points (sorted here).
    y, g : array_like, shape (M,)
        Atoms and values (a dense sample of a datum g).
    t : float > 0

    Returns
    -------
    float
        max over consecutive x of |y*(x_{i+1}) − y*(x_i)|.

    Examples
    --------
    >>> import numpy as np
    >>> ys = np.linspace(-3, 3, 601)
    >>> x = np.linspace(-1, 1, 201)
    >>> minimizer_jump(x, ys, -np.abs(ys), 0.1) > 0.3     # g = −|y|: a kink at once
    True
    """
    x = np.sort(np.asarray(x, dtype=float).ravel())
    y = np.asarray(y, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"minimizer_jump is 1-D: y must have shape (M,), got {y.shape}")
    if x.size < 2:
        raise ValueError("need at least two evaluation points")
    _, j = hopf_lax(x, y, g, t, return_argmin=True)
    ystar = y[np.asarray(j)]
    return float(np.max(np.abs(np.diff(ystar))))


def max_affine_evolution(x, p, c, t):
    r"""The naive formula maxᵢ(pᵢ·x − cᵢ − t|pᵢ|²) for the datum g(x) = maxᵢ(pᵢ·x − cᵢ).

    Each affine piece pᵢ·x − cᵢ, alone, evolves under ∂ₜu + |∇u|² = 0 into pᵢ·x − cᵢ − t|pᵢ|²
    (exactly). Taking the max of the evolved pieces is the Darbon–Langlois–Meng max-affine
    architecture; for the convex Hamiltonian H(p) = |p|² it is *not* the viscosity (Hopf–Lax)
    solution of the max-affine datum in general: it misses the rarefaction fans between pieces
    and lies below the true solution (it is an a.e. solution with convex kinks).

    Parameters
    ----------
    x : array_like, shape (...,) with 1-D p (shape (K,)), or (..., d) with p of shape (K, d)
    p : array_like, slopes, shape (K,) or (K, d)
    c : array_like, shape (K,)
    t : float ≥ 0

    Returns
    -------
    ndarray, shape x.shape (1-D p) or x.shape[:-1]

    Examples
    --------
    >>> import numpy as np
    >>> max_affine_evolution(np.array([0.0, 2.0]), np.array([-1.0, 1.0]), np.zeros(2), 0.5)  # |x| − t
    array([-0.5,  1.5])
    """
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    c = np.asarray(c, dtype=float)
    if c.shape != (p.shape[0],):
        raise ValueError(f"c must have shape ({p.shape[0]},), got {c.shape}")
    t = float(t)
    if p.ndim == 1:
        vals = x[..., None] * p - c - t * p * p
    elif p.ndim == 2:
        if x.shape[-1] != p.shape[1]:
            raise ValueError(f"x must have shape (..., {p.shape[1]}), got {x.shape}")
        vals = x @ p.T - c - t * (p * p).sum(-1)
    else:
        raise ValueError(f"p must have shape (K,) or (K, d), got {p.shape}")
    return vals.max(-1)


class Touch(NamedTuple):
    """Result of :func:`affine_touch`."""

    from_below: bool     #: φ ≤ u near (x₀, t₀), equality there: u − φ has a local minimum
    from_above: bool     #: φ ≥ u near (x₀, t₀): u − φ has a local maximum
    hamiltonian: float   #: φₜ + |φₓ|² = a + q²
    violates: bool       #: below with a + q² < 0 (not a supersolution), or above with a + q² > 0


def affine_touch(u: Callable, x0: float, t0: float, a: float, q: float, *,
                 r: float = 1e-2, n: int = 41, tol: float = 1e-12) -> Touch:
    r"""Test the viscosity inequalities of ∂ₜu + uₓ² = 0 with one affine test function (1-D).

    φ(x,t) = u(x₀,t₀) + a(t − t₀) + q(x − x₀). On an n × n grid of the square of half-width r
    around (x₀, t₀) (clipped to t > 0) it checks whether φ touches u from below (u − φ ≥ 0,
    a local minimum of u − φ) or from above (u − φ ≤ 0). A viscosity solution needs
    φₜ + φₓ² = a + q² ≥ 0 whenever φ touches from below, and ≤ 0 whenever it touches from above.

    A sampled grid can miss a touching failure between nodes; for the piecewise-affine
    functions of the book (kinks along straight lines through (x₀, t₀)) it is exact.

    Parameters
    ----------
    u : callable
        ``u(x, t)`` on NumPy arrays (broadcasting), returning an array.
    x0, t0 : float
        The point (t0 > 0).
    a, q : float
        φₜ and φₓ of the test function.
    r, n, tol : float, int, float
        Half-width and resolution of the sample square; tolerance for ≤ / ≥.

    Returns
    -------
    Touch

    Examples
    --------
    >>> import numpy as np
    >>> u2 = lambda x, t: np.minimum(0.0, np.abs(x) - t)     # an a.e. solution, g = 0
    >>> affine_touch(u2, 0.0, 0.5, a=-1.0, q=0.0).violates    # convex kink at x = 0
    True
    """
    if t0 <= 0:
        raise ValueError(f"t0 must be > 0, got {t0!r}")
    s = np.linspace(-r, r, n)
    X, T = np.meshgrid(x0 + s, t0 + s, indexing="ij")
    keep = T > 0
    X, T = X[keep], T[keep]
    u0 = float(np.asarray(u(np.array([x0]), np.array([t0]))).ravel()[0])
    D = np.asarray(u(X, T), dtype=float) - (u0 + a * (T - t0) + q * (X - x0))
    below = bool(D.min() >= -tol)
    above = bool(D.max() <= tol)
    ham = float(a + q * q)
    violates = (below and ham < -tol) or (above and ham > tol)
    return Touch(below, above, ham, violates)
