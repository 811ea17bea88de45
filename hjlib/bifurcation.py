r"""The attribution-entropy landscape, its exact derivatives, its critical points and their folds.

Convention (the paper's): for atoms :math:`y_j\in\mathbb R^d` with values :math:`g_j` at time
:math:`t`, the Gibbs (attribution) weights and their entropy are

.. math::

    \pi_j(x;\varepsilon) \propto \exp\Big(-\frac{g_j + |x-y_j|^2/(4t)}{\varepsilon}\Big),
    \qquad H(x;\varepsilon) = -\sum_j \pi_j\log\pi_j \in [0, \log N].

With :math:`\bar y = \mathbb E_\pi[y]`, :math:`a_j = -\log\pi_j` and :math:`\sigma = 2t\varepsilon`,
the exact derivatives in :math:`x` are (derived in chapter 14 of the book)

.. math::

    \nabla H = \frac{1}{\sigma}\sum_j \pi_j (a_j - H)(y_j-\bar y),
    \qquad
    \nabla^2 H = \frac{1}{\sigma^2}\sum_j \pi_j (a_j - H - 1)(y_j-\bar y)(y_j-\bar y)^\top .

Everything is computed from :math:`\log\pi` (max-shifted), so weights that underflow carry a
finite log and contribute exactly 0. Where one atom takes all the weight to double precision,
:math:`H`, :math:`\nabla H` and :math:`\nabla^2 H` all underflow to (nearly) 0: a flat plateau on
which every point looks critical. :func:`saturated` flags those points (``max_j π_j > 1 − tol``);
the critical-point finders reject them.

The module provides

* the landscape and its derivatives: :func:`entropy`, :func:`entropy_grad`,
  :func:`entropy_hessian`, :func:`entropy_derivatives`, :func:`saturated`;
* critical points: :func:`critical_points_1d` (sign changes of the exact derivative on a grid),
  :func:`newton_critical_point`, :func:`classify`, :func:`multistart_critical_points`;
* continuation in ε: :func:`continuation_step` (tangent predictor + Newton corrector),
  :func:`continue_branches`, and :func:`locate_fold` (Newton on the extended system
  ∇H = 0, det ∇²H = 0 in (x, ε));
* the two data sets: :func:`demo_1d` (the authors' project-page demo) and :func:`two_clusters`
  (the authors' synthetic two-cluster data, legacy ``np.random.seed(42)`` draw order).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "demo_1d", "two_clusters",
    "log_weights", "entropy", "entropy_grad", "entropy_hessian", "entropy_derivatives", "saturated", "entropy_grad_eps",
    "critical_points_1d", "count_critical_points_1d", "count_change_1d",
    "classify", "newton_critical_point", "multistart_critical_points", "released_multistart",
    "continuation_step", "Branch", "continue_branches", "track_critical_points", "locate_fold", "counts_on_grid",
]

KINDS = ("min", "saddle", "max")


# ----------------------------------------------------------------------------------------------
# data
def demo_1d():
    """The 1-D demo of the authors' project page (``docs/js/bifurcation.js``).

    Support {−2.6, −1.5, −0.4, 0.7, 1.7, 2.7}, g = 0, weights ∝ exp(−(x−y)²/(2ε)), i.e. t = ½.

    Returns
    -------
    y : ndarray, shape (6, 1)
    g : ndarray, shape (6,)
    t : float
        0.5
    """
    y = np.array([-2.6, -1.5, -0.4, 0.7, 1.7, 2.7])[:, None]
    return y, np.zeros(6), 0.5


def two_clusters(seed: int = 42):
    """The authors' two-cluster data (``bifurcation.py``, ``phase_diagram.py``), t = 1.

    Legacy draw order: ``np.random.seed(seed)``; 8 points ``randn(8, 2)·0.4 + (−1, −1)`` with
    g = 0, then 8 points ``randn(8, 2)·0.4 + (1, 1)`` with g = 1. A private ``RandomState`` is
    used, so the global NumPy state is untouched.

    Returns
    -------
    y : ndarray, shape (16, 2)
    g : ndarray, shape (16,)
    t : float
        1.0
    """
    rs = np.random.RandomState(seed)
    a = rs.randn(8, 2) * 0.4 + np.array([-1.0, -1.0])
    b = rs.randn(8, 2) * 0.4 + np.array([1.0, 1.0])
    return np.vstack([a, b]), np.r_[np.zeros(8), np.ones(8)], 1.0


# ----------------------------------------------------------------------------------------------
# the landscape and its exact derivatives
def _check_eps(eps):
    if not (isinstance(eps, (int, float, np.floating)) and eps > 0 and math.isfinite(eps)):
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}")


def log_weights(x, y, g, eps: float, t: float = 1.0) -> np.ndarray:
    r"""log π_j(x; ε), shapes x (..., d), y (N, d), g (N,) → (..., N); max-shifted, never overflows."""
    _check_eps(eps)
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if y.shape[-1] == 1:
        d2 = (x - y[:, 0]) ** 2                      # (..., 1) − (N,) → (..., N), fast path
    else:
        d2 = ((x[..., None, :] - y) ** 2).sum(-1)
    s = -(np.asarray(g, float) + d2 / (4.0 * t))
    z = s / eps
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def entropy_derivatives(x, y, g, eps: float, t: float = 1.0, *, order: int = 2, with_max: bool = False):
    r"""H, ∇H and (if ``order == 2``) ∇²H at the points x, in closed form.

    Parameters
    ----------
    x : array_like, shape (..., d)
    y : array_like, shape (N, d)
    g : array_like, shape (N,)
    eps, t : float > 0
    order : {0, 1, 2}
    with_max : bool
        Also return max_j π_j (to test saturation) as the last item.

    Returns
    -------
    H : ndarray (...)
    grad : ndarray (..., d)  (if order ≥ 1)
    hess : ndarray (..., d, d)  (if order = 2)
    pmax : ndarray (...)  (if with_max)
    """
    y = np.asarray(y, float)
    lp = log_weights(x, y, g, eps, t)
    p = np.exp(lp)
    a = -lp
    H = np.maximum((p * a).sum(-1), 0.0)
    out = [H]
    if order >= 1:
        sig = 2.0 * t * eps
        c = p * (a - H[..., None])                                   # (..., N)
        ybar = p @ y                                                 # (..., d)
        grad = (c @ y - c.sum(-1, keepdims=True) * ybar) / sig       # Σ c_j (y_j − ȳ)
        out.append(grad)
        if order == 2:
            dy = y - ybar[..., None, :]                              # (..., N, d)
            w = p * (a - H[..., None] - 1.0)
            out.append(np.einsum("...j,...ja,...jb->...ab", w, dy, dy) / sig ** 2)
    if with_max:
        out.append(p.max(-1))
    return out[0] if len(out) == 1 else tuple(out)


def entropy(x, y, g, eps: float, t: float = 1.0) -> np.ndarray:
    """The attribution entropy H(π(x; ε)), shape (...). See :func:`entropy_derivatives`."""
    return entropy_derivatives(x, y, g, eps, t, order=0)


def entropy_grad(x, y, g, eps: float, t: float = 1.0) -> np.ndarray:
    r"""∇ₓH = Cov_π(y, −log π)/(2tε), shape (..., d)."""
    return entropy_derivatives(x, y, g, eps, t, order=1)[1]


def entropy_hessian(x, y, g, eps: float, t: float = 1.0) -> np.ndarray:
    r"""∇²ₓH = E_π[(−log π − H − 1)(y − ȳ)(y − ȳ)ᵀ]/(2tε)², shape (..., d, d)."""
    return entropy_derivatives(x, y, g, eps, t, order=2)[2]


def saturated(x, y, g, eps: float, t: float = 1.0, tol: float = 1e-12) -> np.ndarray:
    """True where one atom holds all the weight to within ``tol`` (max_j π_j > 1 − tol).

    There H and its derivatives underflow towards 0 and a root finder reports spurious
    "critical points"; the finders below reject such points.
    """
    return np.exp(log_weights(x, y, g, eps, t).max(-1)) > 1.0 - tol


# ----------------------------------------------------------------------------------------------
# critical points in 1-D: sign changes of the exact derivative
def critical_points_1d(xgrid, y, g, eps: float, t: float = 1.0):
    """Critical points of H on a 1-D grid, from sign changes of the exact derivative H'.

    A change + → − is a local maximum, − → + a local minimum; the location is found by linear
    interpolation of H' between the two grid points. Points where H' is exactly 0 are skipped
    (they would count a change twice), and saturated points (see :func:`saturated`) are
    treated as having no sign.

    Returns
    -------
    xc : ndarray (k,)
        Interpolated locations, increasing.
    kind : ndarray of str (k,)
        "max" or "min".
    """
    xg = np.asarray(xgrid, float).ravel()
    _, d, pmax = entropy_derivatives(xg[:, None], y, g, eps, t, order=1, with_max=True)
    d = d[:, 0]
    ok = (d != 0) & (pmax <= 1.0 - 1e-12)
    xs, ds = xg[ok], d[ok]
    i = np.flatnonzero(np.sign(ds[:-1]) != np.sign(ds[1:]))
    xc = xs[i] - ds[i] * (xs[i + 1] - xs[i]) / (ds[i + 1] - ds[i])
    kind = np.where(ds[i] > 0, "max", "min")
    return xc, kind


def count_critical_points_1d(xgrid, y, g, eps: float, t: float = 1.0) -> int:
    """Number of sign changes of the exact H' on the grid (see :func:`critical_points_1d`)."""
    return len(critical_points_1d(xgrid, y, g, eps, t)[0])


def count_change_1d(xgrid, y, g, t: float, lo: float, hi: float, *, iters: int = 30):
    """Bisection in ε for the value at which the critical-point count changes.

    ``lo`` and ``hi`` must have different counts and the count must change once between them.

    Returns
    -------
    eps : float
        Midpoint of the final bracket (width (hi − lo)/2^iters).
    n_lo, n_hi : int
        The counts below and above.
    """
    n_lo = count_critical_points_1d(xgrid, y, g, lo, t)
    n_hi = count_critical_points_1d(xgrid, y, g, hi, t)
    if n_lo == n_hi:
        raise ValueError(f"the count is {n_lo} at both ends: no change to bracket in [{lo}, {hi}]")
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if count_critical_points_1d(xgrid, y, g, mid, t) == n_lo:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi), n_lo, n_hi


# ----------------------------------------------------------------------------------------------
# critical points in d dimensions
def classify(hess, tol: float = 0.0) -> str:
    """"min", "max" or "saddle" from the signs of the Hessian's eigenvalues ("degenerate" if
    an eigenvalue is within ``tol`` of 0)."""
    lam = np.linalg.eigvalsh(np.atleast_2d(hess))
    if np.any(np.abs(lam) <= tol):
        return "degenerate"
    if np.all(lam > 0):
        return "min"
    if np.all(lam < 0):
        return "max"
    return "saddle"


def newton_critical_point(x0, y, g, eps: float, t: float = 1.0, *, xtol: float = 1e-10,
                          max_iter: int = 40, max_step: float = 0.5):
    """Newton's method on the exact gradient: x ← x − (∇²H)⁻¹∇H.

    Returns ``(x, converged)``. Converged means a Newton step shorter than ``xtol`` was reached
    within ``max_iter`` steps, no step was longer than ``max_step``, and the point is not
    saturated (:func:`saturated`). The test is on the step, not on |∇H|: on the flat, nearly
    saturated plateaus |∇H| is tiny everywhere, but Newton steps there do not shrink (H decays
    exponentially, so −H'/H'' stays of order ε), and no spurious point is accepted.
    """
    x = np.array(x0, float)
    for _ in range(max_iter):
        _, gr, he = entropy_derivatives(x, y, g, eps, t)
        try:
            step = np.linalg.solve(he, gr)
        except np.linalg.LinAlgError:
            return x, False
        if not np.all(np.isfinite(step)) or np.linalg.norm(step) > max_step:
            return x, False
        x = x - step
        if np.linalg.norm(step) < xtol:
            return x, not bool(saturated(x, y, g, eps, t))
    return x, False


def multistart_critical_points(y, g, eps: float, t: float = 1.0, *, seeds=None, n_random: int = 150,
                               box: float = 2.5, rng=None, dedup: float = 1e-4, keep_box: float = 2.9):
    """Critical points by Newton from many starting points (the released code's strategy, with
    Newton instead of ``fsolve`` and saturated points rejected).

    Starting points: the atoms y plus ``n_random`` uniform points in [−box, box]^d (from
    ``rng``, default ``default_rng(0)``) unless ``seeds`` is given. Converged points inside
    (−keep_box, keep_box)^d are deduplicated within ``dedup``.

    Returns
    -------
    list of (x, kind, H) sorted by H
    """
    y = np.asarray(y, float)
    d = y.shape[1]
    if seeds is None:
        rng = np.random.default_rng(0) if rng is None else rng
        seeds = np.vstack([y, rng.uniform(-box, box, size=(n_random, d))])
    found = []
    for s in seeds:
        x, ok = newton_critical_point(s, y, g, eps, t)
        if not ok or np.any(np.abs(x) >= keep_box):
            continue
        if any(np.linalg.norm(x - f[0]) < dedup for f in found):
            continue
        H, _, he = entropy_derivatives(x, y, g, eps, t)
        found.append((x, classify(he), float(H)))
    return sorted(found, key=lambda f: f[2])


def released_multistart(y, g, eps: float, t: float = 1.0, *, n_random: int = 150, seed: int = 0):
    """The released code's critical-point search (``bifurcation.py``), re-implemented for comparison.

    ``scipy.optimize.fsolve`` (xtol 1e-12) on the exact gradient from the atoms plus
    ``n_random`` uniform seeds in [−2.5, 2.5]² (``default_rng(seed)``); accept if |∇H| < 1e-6 and
    the point lies in (−2.9, 2.9)²; deduplicate within 0.12; classify by a central-difference
    Hessian (h = 2e-4, eigenvalue threshold ±1e-6). No saturation mask: this is the version whose
    counts jitter at small ε.

    Returns
    -------
    list of (x, kind) with kind in {"min", "saddle", "max", "degenerate"}
    """
    from scipy.optimize import fsolve

    y = np.asarray(y, float)
    rng = np.random.default_rng(seed)
    seeds = np.vstack([y, rng.uniform(-2.5, 2.5, size=(n_random, 2))])
    f = lambda z: entropy_grad(z, y, g, eps, t)
    found = []
    for s in seeds:
        z = fsolve(f, s, xtol=1e-12)
        if np.linalg.norm(f(z)) >= 1e-6 or np.any(np.abs(z) >= 2.9):
            continue
        if any(np.linalg.norm(z - q) < 0.12 for q, _ in found):
            continue
        h = 2e-4
        Hm = np.array([[(entropy(z + h * (ei + ej), y, g, eps, t) - entropy(z + h * (ei - ej), y, g, eps, t)
                         - entropy(z - h * (ei - ej), y, g, eps, t) + entropy(z - h * (ei + ej), y, g, eps, t))
                        / (4 * h * h) for ej in np.eye(2)] for ei in np.eye(2)])
        lam = np.linalg.eigvalsh(0.5 * (Hm + Hm.T))
        kind = ("min" if np.all(lam > 1e-6) else "max" if np.all(lam < -1e-6)
                else "saddle" if lam[0] < -1e-6 < 1e-6 < lam[-1] else "degenerate")
        found.append((z, kind))
    return found


# ----------------------------------------------------------------------------------------------
# continuation in ε
def entropy_grad_eps(x, y, g, eps: float, t: float = 1.0, rel: float = 1e-6):
    """∂_ε ∇ₓH by a central difference in ε (step ``rel``·ε); used by the tangent predictor."""
    h = rel * eps
    return (entropy_grad(x, y, g, eps + h, t) - entropy_grad(x, y, g, eps - h, t)) / (2 * h)


def continuation_step(x, eps0: float, eps1: float, y, g, t: float = 1.0, *, max_iter: int = 20):
    r"""Follow a critical point x of H(·; ε₀) to ε₁: tangent predictor, then Newton corrector.

    Predictor: differentiate ∇H(x(ε), ε) = 0 in ε, so dx/dε = −(∇²H)⁻¹ ∂_ε∇H (∂_ε by a central
    difference); x̂ = x + (ε₁ − ε₀) dx/dε. Corrector: Newton on the exact gradient at ε₁.

    Returns
    -------
    x1 : ndarray (d,)
    converged : bool
        False if Newton did not converge or the Hessian was singular (near a fold).
    """
    x = np.asarray(x, float)
    _, _, he = entropy_derivatives(x, y, g, eps0, t)
    try:
        dxde = -np.linalg.solve(he, entropy_grad_eps(x, y, g, eps0, t))
    except np.linalg.LinAlgError:
        return x, False
    guess = x + (eps1 - eps0) * dxde
    return newton_critical_point(guess, y, g, eps1, t, max_iter=max_iter, max_step=0.25)


@dataclass
class Branch:
    """A critical point followed in ε: its ε values, locations, H values and kinds.

    ``end`` is "grid" if the branch reached the last ε of the grid, "fold" if it ended in a fold
    (then ``fold_eps`` and ``fold_x`` give the fold point), "exit" if it left the window (then
    ``fold_eps`` is the first grid ε at which it was outside) and "lost" if it ended otherwise.
    """

    eps: list = field(default_factory=list)
    x: list = field(default_factory=list)
    H: list = field(default_factory=list)
    kind: list = field(default_factory=list)
    end: str = "grid"
    fold_eps: float = math.nan
    fold_x: np.ndarray | None = None

    def as_arrays(self):
        return np.array(self.eps), np.array(self.x), np.array(self.H), np.array(self.kind)


def locate_fold(x0, eps0: float, y, g, t: float = 1.0, *, tol: float = 1e-10, max_iter: int = 40):
    r"""A fold point: Newton on the extended system F(x, ε) = (∇H, det ∇²H · (2tε)^{2d}) = 0.

    Unknowns (x, ε), d + 1 equations; the Jacobian is the exact Hessian in the x columns of ∇H
    and central differences elsewhere. At a generic fold this system is regular, so Newton
    converges quadratically from a nearby point on either branch.

    Returns
    -------
    x : ndarray (d,), eps : float, converged : bool
    """
    y = np.asarray(y, float)
    d = y.shape[1]

    def F(z):
        x, e = z[:d], z[d]
        _, gr, he = entropy_derivatives(x, y, g, e, t)
        return np.r_[gr * (2 * t * e), np.linalg.det(he) * (2 * t * e) ** (2 * d)]

    z = np.r_[np.asarray(x0, float), eps0]
    ok = False
    for _ in range(max_iter):
        f = F(z)
        J = np.empty((d + 1, d + 1))
        for k in range(d + 1):
            h = 1e-6 * (z[d] if k == d else 1.0)
            dz = np.zeros(d + 1)
            dz[k] = h
            J[:, k] = (F(z + dz) - F(z - dz)) / (2 * h)
        try:
            step = np.linalg.solve(J, f)
        except np.linalg.LinAlgError:
            break
        step *= min(1.0, 0.2 / max(np.abs(step[:d]).max(), 5 * abs(step[d]) / z[d], 1e-300))
        z = z - step
        if np.abs(step).max() < tol:
            ok = bool(np.abs(F(z)).max() < 1e-8)
            break
    return z[:d], float(z[d]), ok


def continue_branches(starts, eps_grid, y, g, t: float = 1.0, *, min_step: float = 1e-4,
                      locate: bool = True, window: float = math.inf):
    """Follow each critical point in ``starts`` (at ``eps_grid[0]``) along the ε grid.

    Between grid values the step is halved (down to ``min_step``·ε) when the corrector fails
    or the kind of point changes. A branch that cannot be continued ends; if ``locate``, its fold
    is pinned down by :func:`locate_fold` from the last point. A branch that leaves the window
    max|xᵢ| < ``window`` ends with ``end = "exit"`` (recorded at the first grid ε outside).

    Parameters
    ----------
    starts : sequence of x (d,)
    eps_grid : increasing (or decreasing) sequence of ε

    Returns
    -------
    list of Branch
    """
    eps_grid = [float(e) for e in eps_grid]
    out = []
    for x0 in starts:
        br = Branch()
        x = np.asarray(x0, float)
        e = eps_grid[0]
        H, _, he = entropy_derivatives(x, y, g, e, t)
        br.eps.append(e), br.x.append(x.copy()), br.H.append(float(H)), br.kind.append(classify(he))
        ended = False
        for e_target in eps_grid[1:]:
            while e != e_target and not ended:
                step = e_target - e
                while True:
                    x1, ok = continuation_step(x, e, e + step, y, g, t)
                    if ok:
                        H1, _, he1 = entropy_derivatives(x1, y, g, e + step, t)
                        k1 = classify(he1)
                        if k1 == br.kind[-1] and np.linalg.norm(x1 - x) < 0.3:
                            break
                    step *= 0.5
                    if abs(step) < min_step * abs(e):
                        ended = True
                        break
                if ended:
                    break
                e = e + step if abs(e + step - e_target) > 1e-15 else e_target
                x = x1
                if e == e_target:
                    br.eps.append(e), br.x.append(x.copy()), br.H.append(float(H1)), br.kind.append(k1)
            if not ended and np.abs(x).max() >= window:
                br.end = "exit"
                br.eps.pop(), br.x.pop(), br.H.pop(), br.kind.pop()
                br.fold_eps = e
                break
            if ended:
                if e != br.eps[-1]:
                    H1, _, he1 = entropy_derivatives(x, y, g, e, t)
                    br.eps.append(e), br.x.append(x.copy()), br.H.append(float(H1)), br.kind.append(classify(he1))
                if locate:
                    xf, ef, okf = locate_fold(x, e, y, g, t)
                    if okf and abs(ef - e) < 0.05 * e + 1e-3 and np.linalg.norm(xf - x) < 0.3:
                        br.end, br.fold_eps, br.fold_x = "fold", ef, xf
                    else:
                        br.end = "lost"
                else:
                    br.end = "lost"
                break
        out.append(br)
    return out


def counts_on_grid(branches, eps_grid) -> dict:
    """Number of minima, saddles and maxima alive at each ε of the grid (from the branches)."""
    eps_grid = np.asarray(eps_grid, float)
    counts = {k: np.zeros(len(eps_grid), int) for k in KINDS}
    for br in branches:
        for e, k in zip(br.eps, br.kind):
            i = np.flatnonzero(np.isclose(eps_grid, e, rtol=1e-12, atol=0))
            if len(i) and k in counts:
                counts[k][i[0]] += 1
    return counts


def track_critical_points(y, g, t: float, eps_grid, *, window: float = 2.9, audit: bool = True,
                          match: float = 1e-6):
    """Critical points of H in the window (−window, window)^d along an increasing ε grid.

    Seeds with :func:`multistart_critical_points` at ``eps_grid[0]``, follows every point with
    :func:`continue_branches` (folds located, exits from the window recorded) and, if ``audit``,
    runs the multi-start again at every later grid ε: a critical point that no branch explains
    starts a new branch (a birth, or a point entering the window), and is reported.

    Returns
    -------
    branches : list of Branch
    unexplained : list of (eps, x, kind)
        Points the audit found that no branch explained (empty when the continuation is complete).
    multistart_counts : dict kind → ndarray (len(eps_grid),)
        What the multi-start alone found at each grid ε (only the first entry if not ``audit``).
    """
    eps_grid = [float(e) for e in eps_grid]
    ms_counts = {k: np.zeros(len(eps_grid), int) for k in KINDS}
    found0 = multistart_critical_points(y, g, eps_grid[0], t, keep_box=window)
    for _, kind, _ in found0:
        if kind in ms_counts:
            ms_counts[kind][0] += 1
    branches = continue_branches([x for x, _, _ in found0], eps_grid, y, g, t, window=window)
    unexplained = []
    if audit:
        for i, e in enumerate(eps_grid[1:], start=1):
            alive = [br.x[br.eps.index(e)] for br in branches if e in br.eps]
            for x, kind, _ in multistart_critical_points(y, g, e, t, keep_box=window):
                if kind in ms_counts:
                    ms_counts[kind][i] += 1
                if all(np.linalg.norm(x - a) > match for a in alive):
                    unexplained.append((e, x, kind))
                    branches += continue_branches([x], eps_grid[i:], y, g, t, window=window)
                    alive.append(x)
    return branches, unexplained, ms_counts
