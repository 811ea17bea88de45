r"""Gibbs-weight attribution, its entropy, and a classical influence function to compare with.

Convention (the paper's): for atoms (support points) :math:`y_j` with initial values :math:`g_j`
at time :math:`t`, the attribution *scores* and Gibbs weights are

.. math::

    s_j(x) = -\Big(g_j + \frac{|x-y_j|^2}{4t}\Big), \qquad
    \pi_j(x;\varepsilon) = \mathrm{softmax}_j\big(s_j(x)/\varepsilon\big)
    = \frac{\partial f}{\partial b_j},

the same weights as ``softmax((W_j·x + b_j)/ε)`` of the LSE layer with ``W_j = y_j/(2t)``,
``b_j = −g_j − |y_j|²/(4t)`` (the two score vectors differ by the constant |x|²/(4t)).

This module provides

* the attribution entropy :math:`H(\pi) = -\sum_j \pi_j\log\pi_j`, computed in log space (finite
  when weights underflow, exactly 0 at a unique arg-max), its ε-derivative
  :math:`\mathrm{Var}_\pi(s)/\varepsilon^3` and its x-gradient
  :math:`\mathrm{Cov}_\pi(y, -\log\pi)/(2t\varepsilon)`;
* exact leave-one-atom-out effects, :math:`f - f_{-j} = -\varepsilon\log(1-\pi_j)` and the
  change of the prediction :math:`\mathbb E_\pi[g]`;
* the two data sets of the authors' phase diagrams: the synthetic two clusters (legacy
  ``np.random.seed(42)`` draw order) and a two-digit subset of scikit-learn's bundled 8×8 digits
  projected to 2-D by PCA (the offline stand-in for their MNIST 3-vs-7);
* a small LSE regression model with parameters θ = (W, b), trained to a stationary point, with
  the influence function of Koh & Liang (2017), its exact leave-one-out counterpart by retraining,
  and the cheap "π-routed" bridge between the two.
"""
from __future__ import annotations

import math

import numpy as np
import torch

__all__ = [
    "two_cluster_data", "digits_two_class",
    "attribution_scores", "gibbs_log_weights", "attribution_entropy", "entropy_map",
    "entropy_eps_derivative", "entropy_gradient", "mean_entropy_crossing",
    "loo_output_change", "loo_prediction_change",
    "lse_regression", "risk_derivatives", "newton_fit", "train_lse_regression", "koh_liang_influence", "loo_retrain_changes",
    "pi_routed_influence", "spearman",
]


# ----------------------------------------------------------------------------------------------
# data sets of the authors' phase diagrams
def two_cluster_data(seed: int = 42):
    """The authors' synthetic two-cluster support (``phase_diagram.py``, ``bifurcation.py``).

    Draw order of the released code, reproduced with a private legacy generator (so the global
    NumPy state is untouched): ``RandomState(seed).randn(8, 2)·0.4 + (−1, −1)``, then
    ``randn(8, 2)·0.4 + (1, 1)``; g = 0 on the first cluster, 1 on the second.

    Returns
    -------
    y : ndarray, shape (16, 2)
    g : ndarray, shape (16,)

    Examples
    --------
    >>> y, g = two_cluster_data()
    >>> y.shape, g.tolist()[:2], g.tolist()[-1]
    ((16, 2), [0.0, 0.0], 1.0)
    """
    rs = np.random.RandomState(seed)
    y = np.vstack([rs.randn(8, 2) * 0.4 + np.array([-1.0, -1.0]),
                   rs.randn(8, 2) * 0.4 + np.array([1.0, 1.0])])
    g = np.array([0.0] * 8 + [1.0] * 8)
    return y, g


def digits_two_class(class_a: int = 3, class_b: int = 7, n_per_class: int = 60, seed: int = 0):
    """Two digits of scikit-learn's bundled 8×8 digits, PCA-projected to 2-D (no download).

    Follows the authors' ``phase_mnist.py`` with the 8×8 digits in place of MNIST: pixels scaled
    to [0, 1] (÷16, as MNIST's ÷255); ``rng = default_rng(seed)`` chooses ``n_per_class`` images
    of ``class_a`` then of ``class_b`` without replacement; PCA of those images (eigenvectors of
    the sample covariance, largest first); g = 0 for ``class_a`` and 1 for ``class_b``.

    Returns
    -------
    y : ndarray, shape (2·n_per_class, 2)
        PCA coordinates (the support points).
    g : ndarray, shape (2·n_per_class,)
    images : ndarray, shape (2·n_per_class, 8, 8)
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    X = data.data.astype(float) / 16.0
    labels = data.target
    rng = np.random.default_rng(seed)
    ia = rng.choice(np.flatnonzero(labels == class_a), n_per_class, replace=False)
    ib = rng.choice(np.flatnonzero(labels == class_b), n_per_class, replace=False)
    imgs = np.vstack([X[ia], X[ib]])
    Xc = imgs - imgs.mean(axis=0)
    cov = Xc.T @ Xc / (len(imgs) - 1)
    _, vecs = np.linalg.eigh(cov)
    top2 = vecs[:, -2:][:, ::-1]
    g = np.array([0.0] * n_per_class + [1.0] * n_per_class)
    return Xc @ top2, g, imgs.reshape(-1, 8, 8)


# ----------------------------------------------------------------------------------------------
# scores, weights, entropy
def attribution_scores(x, y, g, t: float = 1.0) -> np.ndarray:
    r"""Scores :math:`s_j(x) = -(g_j + |x-y_j|^2/(4t))`; π = softmax(s/ε).

    Shapes: x (..., d), y (N, d), g (N,) → (..., N).
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    d2 = ((x[..., None, :] - y) ** 2).sum(-1)
    return -(np.asarray(g, float) + d2 / (4.0 * t))


def gibbs_log_weights(s, eps: float) -> np.ndarray:
    r"""log π = s/ε − log Σ exp(s/ε) along the last axis, by the max shift (never overflows)."""
    s = np.asarray(s, float)
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    z = (s - s.max(-1, keepdims=True)) / eps
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def attribution_entropy(s, eps: float) -> np.ndarray:
    r"""Entropy :math:`H(\mathrm{softmax}(s/\varepsilon)) = -\sum_j\pi_j\log\pi_j`, stably.

    Computed from log π (:func:`gibbs_log_weights`), so a weight that underflows to 0 carries a
    finite log and contributes exactly 0 (no 0·log 0 = NaN); at a unique arg-max with all other
    weights below the double-precision floor the result is exactly 0. ``eps = 0`` returns the
    limit, log(number of maximisers).

    Parameters
    ----------
    s : array_like, shape (..., N)
        Scores (for example :func:`attribution_scores`, or logits W·x + b).
    eps : float ≥ 0

    Returns
    -------
    ndarray, shape (...), values in [0, log N].

    Examples
    --------
    >>> float(attribution_entropy([0.0, 0.0, 0.0, 0.0], 1.0)) == math.log(4)
    True
    >>> float(attribution_entropy([0.0, -1.0], 1e-3))
    0.0
    """
    s = np.asarray(s, float)
    if eps == 0:
        return np.log((s == s.max(-1, keepdims=True)).sum(-1)).astype(float)
    logp = gibbs_log_weights(s, eps)
    h = -(np.exp(logp) * logp).sum(-1)
    return np.maximum(h, 0.0)


def entropy_map(x, y, g, eps: float, t: float = 1.0) -> np.ndarray:
    """H(π(x; ε)) for a batch of points x (..., d) → (...)."""
    return attribution_entropy(attribution_scores(x, y, g, t), eps)


def entropy_eps_derivative(s, eps: float) -> np.ndarray:
    r"""dH/dε of H(softmax(s/ε)) in closed form: :math:`\mathrm{Var}_\pi(s)/\varepsilon^3 \ge 0`."""
    s = np.asarray(s, float)
    p = np.exp(gibbs_log_weights(s, eps))
    m = (p * s).sum(-1, keepdims=True)
    return (p * (s - m) ** 2).sum(-1) / eps ** 3


def entropy_gradient(x, y, g, eps: float, t: float = 1.0) -> np.ndarray:
    r"""Spatial gradient :math:`\nabla_x H(\pi(x)) = \mathrm{Cov}_\pi(y, -\log\pi)/(2t\varepsilon)`.

    Shapes: x (..., d), y (N, d), g (N,) → (..., d). Uses log π, so it is finite everywhere.
    """
    y = np.asarray(y, float)
    logp = gibbs_log_weights(attribution_scores(x, y, g, t), eps)
    p = np.exp(logp)
    ybar = p @ y                                           # (..., d)
    hbar = (p * -logp).sum(-1, keepdims=True)              # H
    cov = ((p * (-logp - hbar))[..., None] * (y - ybar[..., None, :])).sum(-2)
    return cov / (2.0 * t * eps)


def mean_entropy_crossing(x, y, g, level: float, t: float = 1.0, lo: float = 1e-6,
                          hi: float = 1e4, iters: int = 50) -> float:
    """The ε at which the mean of H(π(x; ε)) over the points x equals ``level`` (bisection in
    log ε; unique, since each H is non-decreasing in ε and 0 < level < log N)."""
    N = len(np.asarray(g))
    if not 0 < level < math.log(N):
        raise ValueError(f"level must lie in (0, log N) = (0, {math.log(N):.4g}), got {level}")
    s = attribution_scores(x, y, g, t)
    a, c = math.log(lo), math.log(hi)
    for _ in range(iters):
        mid = 0.5 * (a + c)
        if attribution_entropy(s, math.exp(mid)).mean() < level:
            a = mid
        else:
            c = mid
    return math.exp(0.5 * (a + c))


# ----------------------------------------------------------------------------------------------
# exact leave-one-atom-out effects
def loo_output_change(pi, eps: float) -> np.ndarray:
    r"""f − f₋ⱼ = −ε log(1 − πⱼ): exact change of the LSE output when atom j is removed.

    Also the change of u (with opposite sign): u₋ⱼ − u = −ε log(1 − πⱼ). Increasing in πⱼ.
    """
    return -eps * np.log1p(-np.asarray(pi, float))


def loo_prediction_change(pi, g) -> np.ndarray:
    r"""ĝ − ĝ₋ⱼ = πⱼ (gⱼ − ĝ)/(1 − πⱼ) for the prediction ĝ = Σⱼ πⱼ gⱼ, exactly."""
    pi = np.asarray(pi, float)
    g = np.asarray(g, float)
    ghat = (pi * g).sum(-1, keepdims=True)
    return pi * (g - ghat) / (1.0 - pi)


# ----------------------------------------------------------------------------------------------
# a small trained LSE regression model and the Koh–Liang influence function
def lse_regression(theta: torch.Tensor, x: torch.Tensor, eps: float) -> torch.Tensor:
    r"""f(x; θ) = ε LSE((W x + b)/ε) with θ = (W.ravel(), b), W of shape (N, d); x (n, d) → (n,)."""
    d = x.shape[-1]
    N = theta.numel() // (d + 1)
    W = theta[: N * d].reshape(N, d)
    b = theta[N * d:]
    return eps * torch.logsumexp((x @ W.T + b) / eps, dim=-1)


def _risk(theta, x, y, eps, weight_decay, mask=None):
    r = lse_regression(theta, x, eps) - y
    losses = 0.5 * r ** 2
    if mask is not None:
        losses = losses * mask
    return losses.sum() / len(y) + 0.5 * weight_decay * (theta ** 2).sum()


def _theta_order(N: int, d: int) -> np.ndarray:
    """Index map from the neuron-major layout Θ[j] = (Wⱼ, bⱼ) (flattened) to θ = (W.ravel(), b)."""
    j, k = np.divmod(np.arange(N * (d + 1)), d + 1)
    return np.where(k < d, j * d + k, N * d + j)


def risk_derivatives(theta, x, y, eps: float, weight_decay: float, mask=None, *,
                     value_only: bool = False):
    r"""Value, gradient and Hessian in θ of R(θ) = (1/n) Σᵢ mᵢ ½ rᵢ² + (λ/2)|θ|², in closed form.

    With x̃ = (x, 1), ∇θ fᵢ = πᵢ ⊗ x̃ᵢ and ∇²θ fᵢ = (diag πᵢ − πᵢπᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ / ε, so
    ∇²R = (1/n) Σᵢ mᵢ (∇fᵢ∇fᵢᵀ + rᵢ ∇²fᵢ) + λI (Gauss–Newton part plus curvature part).
    NumPy float64; θ in the layout of :func:`lse_regression`. ``mask`` (n,) weights the examples
    (0 removes one). Cost O(n N² d²) for the Hessian. ``value_only=True`` returns R alone.
    """
    th = np.asarray(theta.detach() if isinstance(theta, torch.Tensor) else theta, float)
    x = np.asarray(x, float).reshape(len(y), -1)
    y = np.asarray(y, float)
    n, d = x.shape
    N = th.size // (d + 1)
    W, b = th[: N * d].reshape(N, d), th[N * d:]
    z = (x @ W.T + b) / eps
    m = z.max(1, keepdims=True)
    e = np.exp(z - m)
    Z = e.sum(1, keepdims=True)
    pi = e / Z
    f = eps * (m[:, 0] + np.log(Z[:, 0]))
    r = f - y
    w = np.ones(n) if mask is None else np.asarray(mask, float)
    val = 0.5 * (w * r ** 2).sum() / n + 0.5 * weight_decay * (th ** 2).sum()
    if value_only:
        return val
    xt = np.hstack([x, np.ones((n, 1))])
    J = (pi[:, :, None] * xt[:, None, :]).reshape(n, -1)          # (n, N(d+1)), Θ layout
    A = (pi[:, :, None] * np.eye(N)) - pi[:, :, None] * pi[:, None, :]
    curv = np.einsum("i,ijk,ilm->jlkm", w * r / eps, A, xt[:, :, None] * xt[:, None, :])
    P = N * (d + 1)
    H = ((J * (w)[:, None]).T @ J + curv.reshape(P, P)) / n
    grad = J.T @ (w * r) / n
    o = _theta_order(N, d)
    Ht = np.empty((P, P))
    Ht[np.ix_(o, o)] = H
    gt = np.empty(P)
    gt[o] = grad
    return val, gt + weight_decay * th, Ht + weight_decay * np.eye(P)


def newton_fit(theta, x, y, eps: float, *, weight_decay: float = 1e-3, mask=None, tol: float = 1e-12,
               max_iter: int = 100):
    """Minimise R (see :func:`risk_derivatives`) from ``theta`` by damped Newton (eigenvalue shift
    to keep the step a descent direction, backtracking line search).

    Returns
    -------
    theta : torch.Tensor (float64)
    grad_norm : float
        |∇R| at the returned point.
    """
    th = np.asarray(theta.detach() if isinstance(theta, torch.Tensor) else theta, float).copy()
    gn = math.inf
    for _ in range(max_iter):
        val, grad, H = risk_derivatives(th, x, y, eps, weight_decay, mask)
        gn = float(np.linalg.norm(grad))
        if gn < tol:
            break
        lam_min = np.linalg.eigvalsh(H)[0]
        step = np.linalg.solve(H + max(0.0, 1e-6 - lam_min) * np.eye(len(th)), grad)
        lr = 1.0
        while lr > 1e-10:
            cand = th - lr * step
            new = risk_derivatives(cand, x, y, eps, weight_decay, mask, value_only=True)
            if new <= val - 1e-4 * lr * grad @ step + 1e-14 * abs(val):   # rounding slack
                break
            lr *= 0.5
        th = cand
    return torch.as_tensor(th), gn


def train_lse_regression(x, y, N: int, eps: float, *, weight_decay: float = 1e-3, seed: int = 0,
                         adam_steps: int = 0, lr: float = 0.05):
    """Fit f(x; θ) = ε LSE(W x + b) to (x, y): random start (seeded), optional Adam warm-up,
    then damped Newton to a stationary point (the influence function needs one).

    Minimises R(θ) = (1/n) Σᵢ ½(f(xᵢ) − yᵢ)² + (λ/2)|θ|² (λ = ``weight_decay``, which also
    damps the Hessian). float64 throughout.

    Returns
    -------
    theta : torch.Tensor, shape (N(d+1),)
    grad_norm : float
        |∇R(θ)| at the returned θ (≈ 1e-13 once Newton has converged).
    """
    x = torch.as_tensor(np.asarray(x, float)).reshape(len(y), -1)
    y = torch.as_tensor(np.asarray(y, float))
    d = x.shape[1]
    gen = torch.Generator().manual_seed(seed)
    theta = (0.5 * torch.randn(N * (d + 1), generator=gen, dtype=torch.float64)).requires_grad_(True)
    opt = torch.optim.Adam([theta], lr=lr)
    for _ in range(adam_steps):
        opt.zero_grad()
        loss = _risk(theta, x, y, eps, weight_decay)
        loss.backward()
        opt.step()
    return newton_fit(theta.detach(), x.numpy(), y.numpy(), eps, weight_decay=weight_decay)


def koh_liang_influence(theta, x, y, x_test, eps: float, *, weight_decay: float = 1e-3):
    r"""Koh–Liang influence of each training example on the prediction f(x_test).

    .. math::

        \mathcal I_{\rm pred}(z_i, x_{\rm test})
        = -\nabla_\theta f(x_{\rm test})^\top H_\theta^{-1}\nabla_\theta \ell(z_i),
        \qquad H_\theta = \nabla^2_\theta R(\hat\theta)

    (Hessian of the damped training risk, by ``torch.autograd.functional.hessian``). Removing
    zᵢ is up-weighting it by −1/n, so the predicted leave-one-out change is
    f₋ᵢ(x_test) − f(x_test) ≈ −𝓘ᵢ/n, which is what this returns (shape (n,)), together with H.
    """
    from torch.autograd.functional import hessian

    x = torch.as_tensor(np.asarray(x, float)).reshape(len(y), -1)
    yt = torch.as_tensor(np.asarray(y, float))
    xt = torch.as_tensor(np.asarray(x_test, float)).reshape(1, -1)
    th = theta.detach()
    H = hessian(lambda p: _risk(p, x, yt, eps, weight_decay), th)
    th1 = th.clone().requires_grad_(True)
    (gf,) = torch.autograd.grad(lse_regression(th1, xt, eps).sum(), th1)
    s_test = torch.linalg.solve(H, gf)                       # H⁻¹ ∇f(x_test)
    J = torch.func.jacrev(lambda p: lse_regression(p, x, eps))(th)   # (n, P)
    r = lse_regression(th, x, eps) - yt
    grads = r[:, None] * J                                   # ∇θ ℓᵢ = rᵢ ∇θ fᵢ
    return (grads @ s_test / len(yt)).numpy(), H


def loo_retrain_changes(theta, x, y, x_test, eps: float, *, weight_decay: float = 1e-3):
    """Exact leave-one-out: retrain without zᵢ (Newton from θ̂, the 1/n scaling kept) and return
    f₋ᵢ(x_test) − f(x_test) for every i, shape (n,)."""
    xt = torch.as_tensor(np.asarray(x_test, float)).reshape(1, -1)
    f0 = lse_regression(theta, xt, eps).item()
    out = np.empty(len(y))
    for i in range(len(y)):
        mask = np.ones(len(y))
        mask[i] = 0.0
        th_i, _ = newton_fit(theta, x, y, eps, weight_decay=weight_decay, mask=mask)
        out[i] = lse_regression(th_i, xt, eps).item() - f0
    return out


def pi_routed_influence(theta, x, y, x_test, eps: float) -> np.ndarray:
    r"""The Hessian-free bridge: rᵢ ⟨π(x_test), π(xᵢ)⟩, one number per training example.

    It is the bias block of ∇θf(x_test)ᵀ ∇θℓᵢ (∂f/∂bⱼ = πⱼ, ∇_b ℓᵢ = rᵢ π(xᵢ)), i.e. the
    Koh–Liang formula with H replaced by the identity and W frozen; sign as −𝓘 (a predicted
    change up to a positive factor). Cost O(nN) after one forward pass.
    """
    xx = torch.as_tensor(np.asarray(x, float)).reshape(len(y), -1)
    xt = torch.as_tensor(np.asarray(x_test, float)).reshape(1, -1)
    d = xx.shape[1]
    N = theta.numel() // (d + 1)
    W = theta[: N * d].reshape(N, d)
    b = theta[N * d:]
    pi_tr = torch.softmax((xx @ W.T + b) / eps, -1)
    pi_te = torch.softmax((xt @ W.T + b) / eps, -1)[0]
    r = lse_regression(theta, xx, eps) - torch.as_tensor(np.asarray(y, float))
    # removing zᵢ moves θ along +∇ℓᵢ (to first order, with H = I): Δf ≈ +∇fᵀ∇ℓᵢ
    return (r * (pi_tr @ pi_te) / len(r)).detach().numpy()


def spearman(a, b) -> float:
    """Spearman rank correlation (scipy.stats.spearmanr) as a float."""
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)
