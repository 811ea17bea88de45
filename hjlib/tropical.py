r"""Tropical (max-plus) algebra, its Maslov deformation, and ReLU networks as tropical functions.

The max-plus semiring is :math:`(\mathbb R\cup\{-\infty\}, \max, +)`. Its Maslov deformation at
temperature ε > 0 keeps ⊗ = + and replaces max by

.. math::

    a \oplus_\varepsilon b = \varepsilon \log\big(e^{a/\varepsilon} + e^{b/\varepsilon}\big),
    \qquad \max(a,b) \le a \oplus_\varepsilon b \le \max(a,b) + \varepsilon\log 2 .

A *tropical polynomial* in this module is a max of affine functions (its "monomials"),
stored as a pair ``(slopes, intercepts)``: ``p(x) = max_i (slopes[i]·x + intercepts[i])``;
with ``eps > 0`` the max becomes :math:`\mathrm{LSE}_\varepsilon`. A ReLU network is a
difference ``F − G`` of two such polynomials (Zhang, Naitzat & Lim, ICML 2018);
:func:`relu_net_tropical` builds ``F`` and ``G`` for a network with scalar input and output.

Functions
---------
maslov_add            a ⊕_ε b, overflow-free, exact max at ε = 0
tropical_polynomial   evaluate max_i(a_i·x + c_i) or its LSE_ε smoothing
tropical_sum / tropical_product / tropical_scale
                      ⊕, ⊗ and nonnegative scaling of tropical polynomials
prune_1d / kinks_1d   the monomials that attain the max (upper hull) and the kinks ("roots")
relu_net / relu_net_tropical
                      evaluate a 1-D-input ReLU net; write it as F − G
linear_pieces_1d      count the affine pieces of sampled values of a piecewise-linear function
kp_two_soliton        the KP two-soliton τ-function as a 4-neuron LSE layer in (x, y, t)
kp_residual           relative residual of the KP equation for u = 2 ∂ₓ² log τ (autograd)
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "maslov_add",
    "tropical_polynomial",
    "tropical_sum",
    "tropical_product",
    "tropical_scale",
    "prune_1d",
    "kinks_1d",
    "relu_net",
    "relu_net_tropical",
    "linear_pieces_1d",
    "kp_two_soliton",
    "kp_residual",
]


def maslov_add(a, b, eps):
    r"""Maslov-deformed addition :math:`a \oplus_\varepsilon b = \varepsilon\log(e^{a/\varepsilon}+e^{b/\varepsilon})`.

    Computed as :math:`m + \varepsilon\,\mathrm{log1p}(e^{-|a-b|/\varepsilon})` with
    :math:`m = \max(a, b)`, so it never overflows (any magnitude, any ε > 0). ``eps = 0`` gives
    ``max(a, b)`` exactly, the tropical addition. ``-inf`` is the neutral element
    (``a ⊕ −∞ = a``); ``+inf`` absorbs.

    Parameters
    ----------
    a, b : array_like
        Broadcastable arrays (or scalars), extended reals.
    eps : float ≥ 0
        Temperature ε.

    Returns
    -------
    ndarray (or numpy float for scalar input) of the broadcast shape.

    Examples
    --------
    >>> float(maslov_add(0.0, 0.0, 1.0))        # log 2: not idempotent
    0.6931471805599453
    >>> float(maslov_add(1e300, -1e300, 1e-3))  # no overflow
    1e+300
    >>> float(maslov_add(1.0, 3.0, 0.0))        # tropical limit
    3.0
    """
    eps = float(eps)
    if not eps >= 0 or not np.isfinite(eps):
        raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("maslov_add: NaN input")
    m = np.maximum(a, b)
    if eps == 0.0:
        return m[()]
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(a - b)                      # nan when a = b = ±inf, inf when one is -inf
    gap = np.where(np.isnan(gap), np.inf, gap)   # equal infinities: the max is the answer
    out = m + eps * np.log1p(np.exp(-gap / eps))
    out = np.where(np.isinf(m), m, out)          # ±inf in, ±inf out (no inf - inf)
    return out[()]


def _as_poly(P):
    a, c = P
    a = np.asarray(a, dtype=float)
    c = np.asarray(c, dtype=float)
    if a.ndim not in (1, 2) or c.ndim != 1 or a.shape[0] != c.shape[0]:
        raise ValueError(
            f"a tropical polynomial is (slopes (M,) or (M, d), intercepts (M,)), got shapes "
            f"{a.shape} and {c.shape}")
    return a, c


def tropical_polynomial(x, slopes, intercepts, eps: float = 0.0):
    r"""Evaluate :math:`p(x) = \max_i (a_i\cdot x + c_i)` or, for ε > 0, :math:`\mathrm{LSE}_\varepsilon`.

    .. math::

        p_\varepsilon(x) = \varepsilon \log \sum_{i=1}^M e^{(a_i\cdot x + c_i)/\varepsilon},
        \qquad 0 \le p_\varepsilon - p_0 \le \varepsilon \log M .

    In tropical notation the monomial :math:`c_i \otimes x^{\otimes a_i}` is the affine function
    :math:`a_i\cdot x + c_i`, and tropical addition is max.

    Parameters
    ----------
    x : array_like, shape (...) if slopes is (M,), or (..., d) if slopes is (M, d)
    slopes : array_like, shape (M,) or (M, d)
    intercepts : array_like, shape (M,)
    eps : float ≥ 0

    Returns
    -------
    ndarray of shape x.shape (1-D slopes) or x.shape[:-1].

    Examples
    --------
    >>> import numpy as np
    >>> tropical_polynomial(np.array([-2.0, 0.0, 2.0]), [0.0, 1.0, 2.0], [0.0, 1.0, 0.0])
    array([0., 1., 4.])
    """
    from .logsumexp import lse

    a, c = _as_poly((slopes, intercepts))
    x = np.asarray(x, dtype=float)
    scores = (x[..., None] * a if a.ndim == 1 else x @ a.T) + c
    return np.asarray(lse(scores, eps))


def tropical_sum(P, Q):
    """Tropical sum ``P ⊕ Q = max(P, Q)``: the union of the monomials. Returns (slopes, intercepts)."""
    a, c = _as_poly(P)
    b, d = _as_poly(Q)
    return np.concatenate([a, b]), np.concatenate([c, d])


def tropical_product(P, Q):
    """Tropical product ``P ⊗ Q = P + Q``: all pairwise sums of monomials (slopes and intercepts add).

    ``max_i l_i + max_j m_j = max_{i,j} (l_i + m_j)``, so the product of an M-term and a K-term
    polynomial has M·K terms before :func:`prune_1d`.
    """
    a, c = _as_poly(P)
    b, d = _as_poly(Q)
    slopes = (a[:, None] + b[None, :]).reshape(-1, *a.shape[1:])
    return slopes, (c[:, None] + d[None, :]).ravel()


def tropical_scale(P, n: float, shift: float = 0.0):
    """``n·P + shift`` for ``n ≥ 0`` (the tropical power ``P^{⊗n}`` times the constant ``shift``).

    Exact because ``n · max_i l_i = max_i (n l_i)`` for ``n ≥ 0``. Negative ``n`` is rejected:
    ``−max`` is a min, not a tropical polynomial.
    """
    if not n >= 0:
        raise ValueError(f"tropical_scale needs n >= 0 (a tropical power), got {n!r}")
    a, c = _as_poly(P)
    return n * a, n * c + shift


def prune_1d(P, tol: float = 1e-12):
    r"""Keep only the monomials of a 1-D tropical polynomial that attain the max somewhere.

    Monomial :math:`a_i x + c_i` is the maximum on an interval of positive length iff the point
    :math:`(a_i, c_i)` is a vertex of the upper convex hull of all points (the dual Newton
    polygon). Equal slopes keep the largest intercept. The result is sorted by slope and
    evaluates to the same function.

    Returns
    -------
    (slopes, intercepts) : ndarrays, sorted by increasing slope.
    """
    a, c = _as_poly(P)
    if a.ndim != 1:
        raise ValueError("prune_1d handles 1-D tropical polynomials (slopes of shape (M,))")
    order = np.lexsort((-c, a))                  # by slope, then by decreasing intercept
    a, c = a[order], c[order]
    keep = np.r_[True, np.diff(a) > tol]         # first (largest intercept) of each slope
    a, c = a[keep], c[keep]
    hull: list[int] = []
    for k in range(len(a)):                      # monotone chain, upper hull
        while len(hull) >= 2:
            i, j = hull[-2], hull[-1]
            # j is redundant if it lies on or below the segment from i to k
            cross = (a[j] - a[i]) * (c[k] - c[i]) - (c[j] - c[i]) * (a[k] - a[i])
            if cross >= -tol * max(1.0, abs(a[k] - a[i]) * max(abs(c[k] - c[i]), 1.0)):
                hull.pop()
            else:
                break
        hull.append(k)
    return a[hull], c[hull]


def kinks_1d(P):
    r"""Kinks ("tropical roots") of a 1-D tropical polynomial and the slope jump at each.

    After :func:`prune_1d`, consecutive monomials :math:`a_i x + c_i` and
    :math:`a_{i+1} x + c_{i+1}` tie at :math:`x = (c_i - c_{i+1})/(a_{i+1} - a_i)`; the slope
    jumps there by :math:`a_{i+1} - a_i` (the root's multiplicity when slopes are integers).

    Returns
    -------
    roots : ndarray, increasing;  jumps : ndarray of positive slope jumps.
    """
    a, c = prune_1d(P)
    roots = (c[:-1] - c[1:]) / (a[1:] - a[:-1])
    return roots, a[1:] - a[:-1]


def _check_net(weights, biases):
    if len(weights) != len(biases) or len(weights) < 1:
        raise ValueError("weights and biases must be lists of equal, nonzero length")
    Ws = [np.atleast_2d(np.asarray(W, dtype=float)) for W in weights]
    bs = [np.atleast_1d(np.asarray(b, dtype=float)) for b in biases]
    if Ws[0].shape[1] != 1 or Ws[-1].shape[0] != 1:
        raise ValueError("the network must map R -> R: first weight (n1, 1), last weight (1, n_L)")
    for k, (W, b) in enumerate(zip(Ws, bs)):
        if b.shape != (W.shape[0],) or (k and W.shape[1] != Ws[k - 1].shape[0]):
            raise ValueError(f"layer {k}: weight {W.shape} and bias {b.shape} do not chain")
    return Ws, bs


def relu_net(x, weights, biases):
    """Evaluate a scalar ReLU network ``x ↦ W_L σ(… σ(W_1 x + b_1) …) + b_L``, σ = ReLU.

    ``weights[k]`` has shape (n_{k+1}, n_k) with n_0 = 1 and n_L = 1; the last layer is affine
    (no ReLU). ``x`` has any shape; returns an array of the same shape.
    """
    Ws, bs = _check_net(weights, biases)
    x = np.asarray(x, dtype=float)
    h = x.reshape(-1, 1)
    for k, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W.T + b
        if k < len(Ws) - 1:
            h = np.maximum(h, 0.0)
    return h[:, 0].reshape(x.shape)


def relu_net_tropical(weights, biases, *, prune: bool = True):
    r"""Write a scalar ReLU network as a difference of two tropical polynomials, ``net = F − G``.

    The construction, layer by layer (our own write-up of Zhang–Naitzat–Lim 2018): every unit is
    carried as a pair :math:`(F_i, G_i)` of tropical polynomials with value :math:`F_i - G_i`.
    Split each weight into positive and negative parts, :math:`w = w^+ - w^-`. An affine unit
    :math:`z = \sum_i w_i (F_i - G_i) + b` is :math:`P - Q` with

    .. math::

        P = \sum_i \big(w_i^+ F_i + w_i^- G_i\big) + b, \qquad
        Q = \sum_i \big(w_i^- F_i + w_i^+ G_i\big),

    nonnegative combinations (tropical products and powers) of tropical polynomials, and a ReLU
    :math:`\max(P - Q, 0) = \max(P, Q) - Q` is again a pair, :math:`(P \oplus Q,\ Q)`. The input
    is the pair :math:`(x, 0)`. Integer weights give integer slopes: tropical polynomials in the
    strict sense; real weights give "tropical signomials", the same construction.

    Parameters
    ----------
    weights, biases : lists of arrays as in :func:`relu_net`.
    prune : bool
        Prune F and G to the monomials that attain the max (:func:`prune_1d`) after every layer.

    Returns
    -------
    F, G : (slopes, intercepts) pairs, with ``relu_net(x) == tropical_polynomial(x, *F) -
    tropical_polynomial(x, *G)`` for every x.
    """
    Ws, bs = _check_net(weights, biases)
    zero = (np.zeros(1), np.zeros(1))
    units = [((np.ones(1), np.zeros(1)), zero)]  # the input x = F − G with F = x, G = 0
    tidy = prune_1d if prune else (lambda P: P)
    for k, (W, b) in enumerate(zip(Ws, bs)):
        new = []
        for r in range(W.shape[0]):
            P, Q = (np.zeros(1), np.array([b[r]])), zero
            for i, (Fi, Gi) in enumerate(units):
                wp, wm = max(W[r, i], 0.0), max(-W[r, i], 0.0)
                P = tidy(tropical_product(P, tropical_product(tropical_scale(Fi, wp),
                                                              tropical_scale(Gi, wm))))
                Q = tidy(tropical_product(Q, tropical_product(tropical_scale(Fi, wm),
                                                              tropical_scale(Gi, wp))))
            if k < len(Ws) - 1:                  # ReLU: max(P − Q, 0) = (P ⊕ Q) − Q
                P = tidy(tropical_sum(P, Q))
            new.append((P, Q))
        units = new
    return units[0]


def linear_pieces_1d(values, x, *, tol: float = 1e-9):
    r"""Count the affine pieces of a continuous piecewise-linear function sampled on a grid.

    The slope on each grid cell is a finite difference. A kink strictly inside a cell gives that
    cell an intermediate slope, so the function breaks between the runs of cells that share a
    slope (to ``tol``); each break between two runs is one kink, located where the two runs'
    lines intersect. Kinks closer together than two grid cells are not resolved.

    Parameters
    ----------
    values : array_like, shape (n,)
        f(x) on the grid.
    x : array_like, shape (n,)
        Increasing grid.
    tol : float
        Slopes that differ by less than ``tol·(1 + |slope|)`` count as equal.

    Returns
    -------
    n_pieces : int
        Number of maximal intervals on which f is affine (kinks + 1).
    kinks : ndarray
        Estimated kink locations (exact for kinks between well-separated runs).
    """
    f = np.asarray(values, dtype=float)
    x = np.asarray(x, dtype=float)
    if f.shape != x.shape or f.ndim != 1 or f.size < 3:
        raise ValueError("values and x must be 1-D arrays of the same length >= 3")
    s = np.diff(f) / np.diff(x)
    # runs of cells with equal slope
    same = np.abs(np.diff(s)) <= tol * (1 + np.abs(s[1:]))
    starts = np.r_[0, np.flatnonzero(~same) + 1]
    ends = np.r_[starts[1:], len(s)]
    runs = [(i0, i1) for i0, i1 in zip(starts, ends)]
    # a run of length one between two different runs is a cell containing a kink: drop it
    solid = [r for r in runs if r[1] - r[0] >= 2] or runs
    kinks = []
    for (i0, i1), (j0, j1) in zip(solid[:-1], solid[1:]):
        sL, sR = s[i0], s[j0]
        if abs(sL - sR) <= tol * (1 + abs(sR)):
            continue                             # a blip that did not change the line
        cL = f[i0] - sL * x[i0]
        cR = f[j0] - sR * x[j0]
        kinks.append((cR - cL) / (sL - sR))
    return len(kinks) + 1, np.array(kinks)


def kp_two_soliton(p, q, eta0=(0.0, 0.0)):
    r"""The KP two-soliton τ-function as an LSE layer: ``log τ = LSE_1(W·(x, y, t) + b)``.

    .. math::

        \tau = 1 + e^{\eta_1} + e^{\eta_2} + A_{12}\, e^{\eta_1+\eta_2}, \qquad
        \eta_i = (p_i - q_i)x + (p_i^2 - q_i^2)y + (p_i^3 - q_i^3)t + \eta_i^0,

        A_{12} = \frac{(p_1-p_2)(q_1-q_2)}{(p_1-q_2)(q_1-p_2)},

    Hirota's form; :math:`u = 2\partial_x^2\log\tau` then solves the KP equation
    :math:`(-4u_t + u_{xxx} + 6uu_x)_x + 3u_{yy} = 0` (see :func:`kp_residual`). The four
    neurons are the subsets ∅, {1}, {2}, {1, 2} of solitons.

    Parameters
    ----------
    p, q : pairs of floats (p₁, p₂), (q₁, q₂); need A₁₂ > 0 for τ > 0 (e.g. q₁ < p₁ < q₂ < p₂).
    eta0 : pair of floats, the phase constants ηᵢ⁰.

    Returns
    -------
    W : ndarray (4, 3);  b : ndarray (4,);  A12 : float.
    ``b = (0, η₁⁰, η₂⁰, η₁⁰ + η₂⁰ + log A₁₂)`` (−∞ in the last entry when A₁₂ = 0).
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    e0 = np.asarray(eta0, dtype=float)
    if p.shape != (2,) or q.shape != (2,) or e0.shape != (2,):
        raise ValueError("p, q and eta0 must each be a pair of numbers")
    K = np.stack([p - q, p**2 - q**2, p**3 - q**3], axis=1)       # (2, 3): coefficients of η
    A12 = (p[0] - p[1]) * (q[0] - q[1]) / ((p[0] - q[1]) * (q[0] - p[1]))
    if A12 < 0:
        raise ValueError(f"A12 = {A12:.4g} < 0: τ changes sign (singular solution); "
                         "order the parameters as q1 < p1 < q2 < p2")
    W = np.stack([np.zeros(3), K[0], K[1], K[0] + K[1]])
    logA = np.log(A12) if A12 > 0 else -np.inf
    b = np.array([0.0, e0[0], e0[1], e0[0] + e0[1] + logA])
    return W, b, float(A12)


def kp_residual(W, b, points):
    r"""Relative residual of the KP equation for :math:`u = 2\partial_x^2 \log\tau`, by autograd.

    ``log τ = LSE_1(W·(x, y, t) + b)`` (any number of exponentials). Returns
    :math:`\max|R| / \max(|4u_{xt}| + |u_{xxxx}| + 6|u_x^2 + u u_{xx}| + 3|u_{yy}|)` over the
    points, with :math:`R = -4u_{xt} + u_{xxxx} + 6(u_x^2 + u u_{xx}) + 3u_{yy}`, the expanded
    :math:`(-4u_t + u_{xxx} + 6uu_x)_x + 3u_{yy}`. Of order 1e-15 for a solution.

    Parameters
    ----------
    W : array_like (M, 3);  b : array_like (M,);  points : array_like (n, 3) of (x, y, t).
    """
    import torch

    X = torch.tensor(np.asarray(points, dtype=float), requires_grad=True)
    Wt = torch.tensor(np.asarray(W, dtype=float))
    bt = torch.tensor(np.asarray(b, dtype=float))
    L = torch.logsumexp(X @ Wt.T + bt, -1)

    def d(f, i):
        return torch.autograd.grad(f.sum(), X, create_graph=True)[0][:, i]

    Lx = d(L, 0); Lxx = d(Lx, 0); Lx3 = d(Lxx, 0); Lx4 = d(Lx3, 0)    # noqa: E702
    Lx6 = d(d(Lx4, 0), 0)
    u, ux, uxx, uxxxx = 2 * Lxx, 2 * Lx3, 2 * Lx4, 2 * Lx6
    uxt, uyy = 2 * d(Lx3, 2), 2 * d(d(Lxx, 1), 1)
    terms = torch.stack([-4 * uxt, uxxxx, 6 * (ux**2 + u * uxx), 3 * uyy])
    terms = terms.detach()
    return float(terms.sum(0).abs().max() / terms.abs().sum(0).max())
