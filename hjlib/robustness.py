"""Curvature, sensitivity and extrapolation of LSE layers: the quantities ε controls.

For an LSE layer (the paper's convention, with an optional scalar output weight w₂)

.. math::

    f(x) = w_2\\,\\varepsilon \\log \\sum_{j=1}^N \\exp\\big((W_j\\cdot x + b_j)/\\varepsilon\\big),
    \\qquad \\pi_j(x) = \\mathrm{softmax}_j\\big((W x + b)/\\varepsilon\\big),

the derivatives in the input are Gibbs averages,

.. math::

    \\nabla f = w_2\\,\\mathbb E_\\pi[W], \\qquad
    \\nabla^2 f = \\frac{w_2}{\\varepsilon}\\,\\mathrm{Cov}_\\pi(W),

which gives the curvature bound the authors' code calls the paper's Corollary 8.2,
``‖∇²f‖₂ ≤ |w₂| maxⱼ‖Wⱼ‖²/ε``, its translation-invariant sharpening
``|w₂| min_c maxⱼ‖Wⱼ − c‖²/ε``, and the ε-free gradient bound ``‖∇f‖ ≤ |w₂| maxⱼ‖Wⱼ‖``.
Away from ties, f collapses onto its dominant affine piece:
``0 ≤ LSE_ε(z) − max z ≤ ε log(1 + (N−1) e^{−Δ/ε})`` with Δ the gap between the two largest
logits.

Also here: :func:`fit_lse_eps`, which trains one LSE layer per (ε, seed) in a single batch
(exactly equivalent to :func:`hjlib.training.fit_lse` called once per ε), and
:func:`load_digits_pca`, scikit-learn's bundled 8×8 digits projected by PCA (no download).

All functions take NumPy arrays (torch tensors are converted) and return NumPy arrays, float64.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from . import book as _book
from .training import LSEFit, _as_2d, _init_params, adam_loop, lse_predict

__all__ = [
    "gibbs", "lse_value", "lse_gradient", "lse_hessian", "hessian_norm", "hessian_bound",
    "enclosing_radius", "gradient_bound", "extrapolation_gap", "fit_lse_eps", "load_digits_pca",
]


def _np(a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=float)


def _prep(x, W, b):
    """x (n, d) or (n,) for d = 1; W (N, d) or (N,); b (N,)."""
    W = _np(W)
    if W.ndim == 1:
        W = W[:, None]
    x = _np(x)
    if x.ndim == 1 and W.shape[1] == 1:
        x = x[:, None]
    elif x.ndim == 1:
        x = x[None, :]
    b = _np(b).reshape(-1)
    if x.shape[-1] != W.shape[1] or b.shape[0] != W.shape[0]:
        raise ValueError(f"shapes do not match: x {x.shape}, W {W.shape}, b {b.shape}")
    return x, W, b


def _logits(x, W, b):
    return x @ W.T + b


def gibbs(x, W, b, eps):
    """Gibbs (attribution) weights πⱼ(x) = softmax((Wⱼ·x + bⱼ)/ε), shape (n, N)."""
    x, W, b = _prep(x, W, b)
    z = _logits(x, W, b) / eps
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def lse_value(x, W, b, eps, w2: float = 1.0):
    """f(x) = w₂ ε log Σⱼ exp((Wⱼ·x + bⱼ)/ε), shape (n,) (max-shifted, never overflows)."""
    x, W, b = _prep(x, W, b)
    z = _logits(x, W, b)
    m = z.max(axis=1)
    return w2 * (m + eps * np.log(np.exp((z - m[:, None]) / eps).sum(axis=1)))


def lse_gradient(x, W, b, eps, w2: float = 1.0):
    """∇f(x) = w₂ E_π[W], shape (n, d)."""
    x, W, b = _prep(x, W, b)
    return w2 * gibbs(x, W, b, eps) @ W


def lse_hessian(x, W, b, eps, w2: float = 1.0):
    """∇²f(x) = (w₂/ε) Cov_π(W) = (w₂/ε)(Σⱼ πⱼ WⱼWⱼᵀ − W̄W̄ᵀ), shape (n, d, d).

    Examples
    --------
    >>> import numpy as np
    >>> W, b = np.array([[1.0], [-1.0]]), np.zeros(2)
    >>> float(lse_hessian(np.zeros((1, 1)), W, b, 0.5)[0, 0, 0])   # Var = 1 at the tie, / ε
    2.0
    """
    x, W, b = _prep(x, W, b)
    p = gibbs(x, W, b, eps)
    dev = W[None, :, :] - (p @ W)[:, None, :]                    # Wⱼ − W̄(x), centred
    return (w2 / eps) * np.einsum("nj,njk,njl->nkl", p, dev, dev)


def hessian_norm(x, W, b, eps, w2: float = 1.0):
    """Spectral norm ‖∇²f(x)‖₂ = |w₂| λ_max(Cov_π(W))/ε at each x, shape (n,).

    In 1-D this is |w₂| Var_π(W)/ε.
    """
    x, W, b = _prep(x, W, b)
    if W.shape[1] == 1:
        p = gibbs(x, W, b, eps)
        w = W[:, 0]
        mean = p @ w
        var = (p * (w[None, :] - mean[:, None]) ** 2).sum(axis=1)    # centred: no cancellation
        return abs(w2) * var / eps
    H = lse_hessian(x, W, b, eps)          # Cov_π(W)/ε, symmetric PSD
    return abs(w2) * np.linalg.eigvalsh(H)[:, -1]


def enclosing_radius(W, *, tol: float = 1e-12, max_iter: int = 20000):
    """Radius R and centre c of (a near-minimal) ball containing all rows Wⱼ.

    Returns ``(R, c)`` with ``R = maxⱼ‖Wⱼ − c‖`` *evaluated exactly at the returned c*, so
    ``R²/ε`` is always a valid curvature bound, whatever the accuracy of the optimisation.
    In 1-D the answer is exact: c = (max + min)/2, R = (max − min)/2. In d > 1 the centre comes
    from the dual problem max_{λ ∈ simplex} Σλⱼ‖Wⱼ‖² − ‖Σλⱼ Wⱼ‖² (= max_λ tr Cov_λ(W)), solved
    by Frank–Wolfe with exact line search; R is within the duality gap (< ``tol``) of minimal.
    """
    W = _np(W)
    if W.ndim == 1:
        W = W[:, None]
    if W.shape[1] == 1:
        lo, hi = W[:, 0].min(), W[:, 0].max()
        return float((hi - lo) / 2), np.array([(hi + lo) / 2])
    sq = (W ** 2).sum(axis=1)
    lam = np.zeros(len(W))
    lam[np.argmax(((W - W.mean(0)) ** 2).sum(1))] = 1.0
    for _ in range(max_iter):
        c = lam @ W
        dist2 = ((W - c) ** 2).sum(axis=1)
        j = int(np.argmax(dist2))
        dual = lam @ sq - c @ c                       # = Σλ‖W−c‖², a lower bound on R²
        if dist2[j] - dual <= tol:
            break
        d = W[j] - c
        # maximise along lam + γ(e_j − lam): objective is concave quadratic in γ
        num = dist2[j] - dual
        den = 2 * (d @ d)
        gamma = min(1.0, num / den) if den > 0 else 1.0
        lam *= 1 - gamma
        lam[j] += gamma
    c = lam @ W
    return float(np.sqrt(((W - c) ** 2).sum(axis=1).max())), c


def hessian_bound(W, eps, w2: float = 1.0, *, centred: bool = False):
    """Upper bound on ‖∇²f(x)‖₂ valid for every x.

    ``centred=False``: |w₂| maxⱼ‖Wⱼ‖²/ε (what the authors' code calls the paper's Corollary 8.2).
    ``centred=True``: |w₂| R²/ε with R the radius of the smallest ball around the Wⱼ
    (:func:`enclosing_radius`); never larger, and unchanged if all Wⱼ are shifted by one vector.
    """
    W = _np(W)
    if W.ndim == 1:
        W = W[:, None]
    if centred:
        R, _ = enclosing_radius(W)
        return abs(w2) * R ** 2 / eps
    return abs(w2) * float((W ** 2).sum(axis=1).max()) / eps


def gradient_bound(W, w2: float = 1.0):
    """‖∇f(x)‖ ≤ |w₂| maxⱼ‖Wⱼ‖ for every x and every ε (the gradient is a convex combination)."""
    W = _np(W)
    if W.ndim == 1:
        W = W[:, None]
    return abs(w2) * float(np.sqrt((W ** 2).sum(axis=1).max()))


def extrapolation_gap(x, W, b, eps):
    """Distance of f from its dominant affine piece, and the bound on it.

    Returns ``(gap, bound, delta)``, each of shape (n,):
    ``gap = LSE_ε(Wx + b) − maxⱼ(Wⱼ·x + bⱼ)``, ``delta`` = gap between the two largest logits,
    ``bound = ε log(1 + (N − 1) e^{−Δ/ε})``; always ``0 ≤ gap ≤ bound ≤ ε log N``, and
    ``gap/bound → 1`` as Δ/ε → ∞ when the other N − 1 logits tie.
    """
    x, W, b = _prep(x, W, b)
    z = _logits(x, W, b)
    zs = np.sort(z, axis=1)
    m = zs[:, -1]
    others = np.exp((z - m[:, None]) / eps)
    others[np.arange(len(z)), np.argmax(z, axis=1)] = 0.0        # drop the winner's term (= 1)
    gap = eps * np.log1p(others.sum(axis=1))                      # accurate even when gap ≪ 1e-16
    delta = zs[:, -1] - zs[:, -2] if z.shape[1] > 1 else np.full(len(z), np.inf)
    bound = eps * np.log1p((z.shape[1] - 1) * np.exp(-delta / eps))
    return gap, bound, delta


def fit_lse_eps(
    x,
    y,
    *,
    width: int,
    eps: Sequence[float],
    seeds: Sequence[int] = (0,),
    steps: int = 2000,
    lr: float = 1e-2,
    init_W: float = 0.4,
    init_b: float = 0.2,
    output_scale: bool = False,
    batch_size: int | None = None,
    dtype: torch.dtype = torch.float64,
) -> dict:
    """Train one LSE layer per (ε, seed) in a single batch; returns ``{ε: LSEFit}``.

    The same model, initialisation, Adam settings and minibatch order as
    :func:`hjlib.training.fit_lse`, so ``fit_lse_eps(..., eps=[e1, e2])[e1]`` equals
    ``fit_lse(..., eps=e1)`` (to round-off): the loss is a sum of per-run losses and Adam acts per
    coordinate, so the runs do not interact. Batching over ε saves the per-step overhead that
    dominates small models. (``fit_lse`` batches over seeds and widths but not over ε.)

    Parameters
    ----------
    x, y : array_like, shapes (n, d) or (n,), and (n,)
    width : int
    eps : sequence of float > 0
    seeds, steps, lr, init_W, init_b, output_scale, batch_size, dtype
        As for :func:`hjlib.training.fit_lse`.
    """
    eps_list = [float(e) for e in eps]
    if not eps_list or min(eps_list) <= 0 or not np.all(np.isfinite(eps_list)):
        raise ValueError(f"eps must be a non-empty list of finite numbers > 0, got {eps!r}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    X = _as_2d(x, "x", dtype)
    Y = torch.as_tensor(_np(y)).to(dtype).reshape(-1)
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one target per input: x has {X.shape[0]} rows, y has {Y.shape[0]}")
    E, S, N, d = len(eps_list), len(seeds), int(width), X.shape[1]
    W0, b0 = _init_params(S, N, d, seeds, init_W, init_b, dtype)
    W = W0.repeat(E, 1, 1).clone().requires_grad_(True)      # run r = k·S + s ↔ (eps k, seed s)
    b = b0.repeat(E, 1).clone().requires_grad_(True)
    eps_t = torch.tensor(eps_list, dtype=dtype).repeat_interleave(S)     # (E·S,)
    params = [W, b]
    w2 = None
    if output_scale:
        w2 = torch.ones(E * S, dtype=dtype, requires_grad=True)
        params.append(w2)

    def per_run_mse(xb, yb):
        z = torch.einsum("nd,rkd->rnk", xb, W) + b[:, None, :]
        e = eps_t[:, None]
        out = e * torch.logsumexp(z / e[..., None], dim=-1)
        if w2 is not None:
            out = out * w2[:, None]
        return ((out - yb) ** 2).mean(dim=-1)

    history = adam_loop(params, per_run_mse, X, Y, steps=steps, lr=lr, batch_size=batch_size,
                        seed=seeds[0] + 7919, desc=f"N={N}, {E} values of eps")   # as fit_lse
    with torch.no_grad():
        final = per_run_mse(X, Y).cpu().numpy()
    out = {}
    for k, e in enumerate(eps_list):
        sl = slice(k * S, (k + 1) * S)
        out[e] = LSEFit(W.detach()[sl].clone(), b.detach()[sl].clone(),
                        None if w2 is None else w2.detach()[sl].clone(), e, 1.0, seeds,
                        history[sl], final[sl])
    return out


def load_digits_pca(n_components: int = 16, *, n_test: int = 497, seed: int = 0):
    """scikit-learn's bundled 8×8 digits (1797 images, no download), PCA-projected.

    Pixels are scaled to [0, 1] (÷16, as the authors scale MNIST by ÷255); the images are split
    at random (``np.random.default_rng(seed)``) into ``1797 − n_test`` training and ``n_test``
    test images; the PCA basis is the top right-singular vectors of the *centred training set*
    (as in the authors' MNIST script).

    Returns
    -------
    X_train, y_train, X_test, y_test : np.ndarray
        Inputs of shape (n, n_components); labels 0..9 as float (the authors regress the label
        as a number).
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    X = data.data.astype(float) / 16.0
    y = data.target.astype(float)
    if not 0 < n_test < len(X):
        raise ValueError(f"n_test must be in 1..{len(X) - 1}, got {n_test}")
    if not 0 < n_components <= X.shape[1]:
        raise ValueError(f"n_components must be in 1..{X.shape[1]}, got {n_components}")
    order = np.random.default_rng(seed).permutation(len(X))
    te, tr = order[:n_test], order[n_test:]
    mean = X[tr].mean(axis=0)
    _, _, Vt = np.linalg.svd(X[tr] - mean, full_matrices=False)
    V = Vt[:n_components].T
    return (X[tr] - mean) @ V, y[tr], (X[te] - mean) @ V, y[te]
