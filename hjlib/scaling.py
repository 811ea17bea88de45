r"""Width as quadrature: rates, synthetic scaling laws and trained scaling laws.

An N-neuron LSE layer with support points yⱼ and values gⱼ (Wⱼ = yⱼ/(2t), bⱼ = −gⱼ − |yⱼ|²/(4t))
is an N-point quadrature of the continuum Hopf–Cole integral. With equal weights 1/N,

.. math::

    f^N_\varepsilon(x) = \varepsilon \log \frac1N \sum_{j=1}^N e^{(W_j\cdot x + b_j)/\varepsilon}
    \;\approx\; \varepsilon \log \frac{1}{|B|}\int_B e^{(y\cdot x/(2t) - |y|^2/(4t) - g(y))/\varepsilon}\,dy ,

the "normalised LSE" of the authors' quadrature experiments. This module holds what the book's
width-scaling chapter computes twice or what a benchmark script reruns at full size:

* tensor grids and the normalised LSE (:func:`grid_support`, :func:`normalized_lse`), with three
  weightings of the grid (the authors' ``1/N``, cell volume ``1/(n−1)^d``, trapezoid);
* the quadrature-rate experiment (:func:`quadrature_errors`) and the synthetic scaling law
  (:func:`synthetic_scaling_rmse`) with the authors' seeds, and the endpoint offset
  :func:`endpoint_offset` that explains most of both;
* a fused, vectorised full-batch Adam trainer for one LSE layer with per-run ε and explicit
  initial parameters (:func:`train_lse_adam`), equivalent to :func:`hjlib.training.fit_lse` (to
  1e-15 in float64) and, in our measurements on 2 shared cores, more than ten times faster per step
  at Experiment B's sizes; Experiment B is built on it (:func:`experiment_b_setting`);
* the sample-size experiment for the minimax rate (:func:`sample_size_errors`) and the Gibbs-entropy
  crossing scale of grid-supported layers (:func:`entropy_crossing_eps`).

Convention: the paper's, ∂ₜu + |∇u|² = εΔu, cost |x − y|²/(4t); ``t = 1`` unless stated.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

__all__ = [
    "grid_support", "grid_weights", "normalized_lse", "quadrature_errors", "endpoint_offset",
    "log_slope", "slope_with_se", "synthetic_target", "synthetic_scaling_rmse", "train_lse_adam",
    "authors_init", "experiment_b_data", "experiment_b_setting", "experiment_b_eps_sweep", "EXPERIMENT_B_WIDTHS",
    "sample_size_errors", "mean_gibbs_entropy", "entropy_crossing_eps", "load_experiment_b",
    "load_width_controls",
]

#: Widths of the authors' Experiment B (``scaling.py``; ``"4hd"`` is ``scaling_hd.py``'s d = 4 list).
EXPERIMENT_B_WIDTHS = {1: [10, 25, 50, 100, 200, 500], 2: [20, 50, 100, 200, 500],
                       4: [40, 100, 200, 500, 1000], "4hd": [50, 100, 200, 500]}


# ---------------------------------------------------------------------------------------------
# grids and the normalised LSE
# ---------------------------------------------------------------------------------------------

def grid_support(d: int, n: int, lo: float = -2.0, hi: float = 2.0, kind: str = "endpoints") -> np.ndarray:
    """Tensor grid with n points per axis on [lo, hi]^d, shape (n**d, d).

    ``kind="endpoints"``: ``linspace(lo, hi, n)`` per axis, both ends included (the authors'
    ``grid_nd``); ``kind="midpoints"``: the centres of n equal cells per axis. The ordering is that
    of ``np.meshgrid(..., indexing="ij")``.

    >>> grid_support(2, 3).shape
    (9, 2)
    """
    if kind == "endpoints":
        if n < 2:
            raise ValueError(f"n must be >= 2 points per axis, got {n}")
        ax = np.linspace(lo, hi, n)
    elif kind == "midpoints":
        ax = lo + (hi - lo) * (np.arange(n) + 0.5) / n
    else:
        raise ValueError(f"kind must be 'endpoints' or 'midpoints', got {kind!r}")
    axes = [ax] * d
    return np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)


def grid_weights(d: int, n: int, rule: str = "authors") -> np.ndarray:
    r"""Quadrature weights (summing to the factor in front of Σ) for an n^d endpoint-inclusive grid.

    Parameters
    ----------
    rule : {"authors", "cell", "trapezoid"}
        ``"authors"``: 1/N = n^{-d} for every point (the released code). ``"cell"``: the cell
        volume over the box volume, (n−1)^{-d} (a Riemann sum whose endpoints both count fully,
        so the weights sum to (n/(n−1))^d). ``"trapezoid"``: tensor trapezoid rule, half weight
        per endpoint coordinate; the weights sum to 1.

    Returns
    -------
    ndarray, shape (n**d,)
    """
    if rule == "authors":
        return np.full(n ** d, float(n) ** (-d))
    w1 = np.full(n, 1.0 / (n - 1))
    if rule == "trapezoid":
        w1[[0, -1]] *= 0.5
    elif rule != "cell":
        raise ValueError(f"rule must be 'authors', 'cell' or 'trapezoid', got {rule!r}")
    w = w1
    for _ in range(d - 1):
        w = np.multiply.outer(w, w1).ravel()
    return w


def normalized_lse(x, y, g, eps: float, t: float = 1.0, weights=None, chunk: int = 2 ** 22) -> np.ndarray:
    r"""Weighted LSE layer built from initial data: ε log Σⱼ wⱼ exp((Wⱼ·x + bⱼ)/ε).

    Wⱼ = yⱼ/(2t), bⱼ = −gⱼ − |yⱼ|²/(4t); default weights wⱼ = 1/N (the authors' "normalised LSE",
    equal to the plain LSE minus ε log N).

    Parameters
    ----------
    x : array_like, shape (m, d)
    y : array_like, shape (N, d)
    g : array_like, shape (N,)
    eps, t : float
    weights : array_like, shape (N,) or (N, K), optional
        Non-negative weights; K columns give K weighted layers from one set of logits.
    chunk : int
        Evaluation points are processed in blocks of about ``chunk`` logits (memory bound).

    Returns
    -------
    ndarray, shape (m,) or (m, K)

    Examples
    --------
    >>> import numpy as np
    >>> y = grid_support(1, 5); g = np.abs(y[:, 0])
    >>> f = normalized_lse(np.zeros((1, 1)), y, g, 1.0)
    >>> bool(np.isclose(f[0], np.log(np.mean(np.exp(-g - y[:, 0] ** 2 / 4)))))
    True
    """
    x = np.atleast_2d(np.asarray(x, float))
    g = np.asarray(g, float)
    y = np.asarray(y, float).reshape(len(g), -1)
    W = y / (2 * t)
    b = -g - (y ** 2).sum(-1) / (4 * t)
    w = np.full(len(g), 1.0 / len(g)) if weights is None else np.asarray(weights, float)
    K = None if w.ndim == 1 else w.shape[1]
    w2 = w.reshape(len(g), -1)
    out = np.empty((len(x), w2.shape[1]))
    step = max(1, chunk // max(1, len(g)))
    for i in range(0, len(x), step):
        z = (x[i:i + step] @ W.T + b) / eps
        m = z.max(axis=1, keepdims=True)
        out[i:i + step] = eps * (np.log(np.exp(z - m) @ w2) + m)
    return out[:, 0] if K is None else out


def endpoint_offset(d: int, eps: float, n, n_ref=None):
    r"""Offset from normalising an endpoint-inclusive grid by 1/N instead of by cell volume.

    With n points per axis on an interval of length L the spacing is L/(n−1), so the Riemann sum
    is (1/(n−1))^d Σ; dividing by n^d instead lowers ε log(·) by exactly

    .. math:: \delta(n) = d\,\varepsilon\,\log\frac{n}{n-1} .

    If the reference is itself an n_ref grid with the same normalisation, the difference of the
    two offsets, d ε [log(n/(n−1)) − log(n_ref/(n_ref−1))], is returned.
    """
    n = np.asarray(n, float)
    off = d * eps * np.log(n / (n - 1))
    if n_ref is not None:
        off = off - d * eps * math.log(n_ref / (n_ref - 1))
    return off


def log_slope(N, err) -> float:
    """Least-squares slope of log err against log N (errors clipped at 1e-12, as the authors do)."""
    lN = np.log(np.asarray(N, float))
    lE = np.log(np.clip(np.asarray(err, float), 1e-12, None))
    return float(np.polyfit(lN, lE, 1)[0])


def slope_with_se(logx, logy):
    """Ordinary least-squares slope of logy on logx and its standard error (needs ≥ 3 points)."""
    logx, logy = np.asarray(logx, float), np.asarray(logy, float)
    A = np.stack([logx, np.ones_like(logx)], 1)
    coef, res, *_ = np.linalg.lstsq(A, logy, rcond=None)
    resid = logy - A @ coef
    s2 = resid @ resid / (len(logx) - 2)
    se = math.sqrt(s2 / ((logx - logx.mean()) ** 2).sum())
    return float(coef[0]), se


def quadrature_errors(d: int, per_axis: Sequence[int], *, n_ref: int | None = None,
                      mc_ref: int | None = None, eps: float = 1.0, t: float = 1.0,
                      n_eval: int = 400, rule="authors", lip: float = 1.0, kind: str = "endpoints"):
    r"""ℓ∞ error of the normalised-LSE quadrature of the Hopf–Cole integral, g(y) = L|y|.

    The authors' Experiment 2 (``run_all.py``): evaluation points ``default_rng(100 + d)``
    uniform in [−1.5, 1.5]^d; support = endpoint-inclusive grids on [−2, 2]^d; reference = an
    ``n_ref`` grid with the same rule, or ``mc_ref`` uniform points from ``default_rng(777 + d)``
    with weights 1/M (an unbiased estimate of the box average).

    Parameters
    ----------
    rule : str or sequence of str
        Grid weighting(s), see :func:`grid_weights`; several rules share one set of logits.
    kind : {"endpoints", "midpoints"}
        Grid type (:func:`grid_support`); with midpoints use ``rule="authors"`` (1/N is then
        exactly the cell volume over the box volume).

    Returns
    -------
    N : ndarray of int, err : ndarray — one entry per grid in ``per_axis`` (shape
    (len(per_axis), len(rule)) if ``rule`` is a sequence).
    """
    rules = [rule] if isinstance(rule, str) else list(rule)
    rng = np.random.default_rng(100 + d)
    x = rng.uniform(-1.5, 1.5, (n_eval, d))
    if mc_ref is not None:
        y_r = np.random.default_rng(777 + d).uniform(-2.0, 2.0, (mc_ref, d))
        f_ref = normalized_lse(x, y_r, lip * np.sqrt((y_r ** 2).sum(-1)), eps, t)[:, None]
    else:
        y_r = grid_support(d, n_ref, kind=kind)
        wr = np.stack([grid_weights(d, n_ref, r) for r in rules], 1)
        f_ref = normalized_lse(x, y_r, lip * np.sqrt((y_r ** 2).sum(-1)), eps, t, wr)
    errs = []
    for n in per_axis:
        y = grid_support(d, n, kind=kind)
        w = np.stack([grid_weights(d, n, r) for r in rules], 1)
        f = normalized_lse(x, y, lip * np.sqrt((y ** 2).sum(-1)), eps, t, w)
        errs.append(np.max(np.abs(f - f_ref), axis=0))
    errs = np.array(errs)
    return np.array([n ** d for n in per_axis]), (errs[:, 0] if isinstance(rule, str) else errs)


def synthetic_target(x, eps: float, t: float = 1.0) -> np.ndarray:
    r"""Closed form of ε log (4^{-d} ∫_{R^d} exp((y·x/2 − |y|²/4 − |y|²/2)/ε) dy) at t = 1.

    Completing the square, ¾|y − x/3|² − |x|²/12, gives
    |x|²/12 + (d/2) ε log(4πε/3) − d ε log 4 (the authors' target; t = 1 only).
    """
    if t != 1.0:
        raise ValueError("the authors' closed-form target is for t = 1")
    x = np.atleast_2d(np.asarray(x, float))
    d = x.shape[1]
    return (x ** 2).sum(-1) / 12 + d / 2 * eps * np.log(4 * np.pi * eps / 3) - d * eps * np.log(4)


def synthetic_scaling_rmse(d: int, per_axis: Sequence[int], *, rule="authors",
                           n_eval: int = 400):
    r"""The authors' synthetic scaling law (``run_all.py`` Experiment 3) and its corrections.

    g(y) = |y|²/2 on an n^d grid on [−2, 2]^d, ε = N^{-1/d} = 1/n, t = 1, RMSE against
    :func:`synthetic_target` at 400 points ``default_rng(200 + d)`` uniform in [−1.5, 1.5]^d.

    ``rule`` may be a sequence of weightings (:func:`grid_weights`); rmse then has one column each.

    Returns
    -------
    N, eps, rmse : ndarrays
    """
    rules = [rule] if isinstance(rule, str) else list(rule)
    rng = np.random.default_rng(200 + d)
    x = rng.uniform(-1.5, 1.5, (n_eval, d))
    Ns, es, out = [], [], []
    for n in per_axis:
        N = n ** d
        eps = N ** (-1.0 / d)
        y = grid_support(d, n)
        w = np.stack([grid_weights(d, n, r) for r in rules], 1)
        f = normalized_lse(x, y, 0.5 * (y ** 2).sum(-1), eps, 1.0, w)
        out.append(np.sqrt(np.mean((f - synthetic_target(x, eps)[:, None]) ** 2, axis=0)))
        Ns.append(N)
        es.append(eps)
    out = np.array(out)
    return np.array(Ns), np.array(es), (out[:, 0] if isinstance(rule, str) else out)


# ---------------------------------------------------------------------------------------------
# a fused, vectorised Adam trainer
# ---------------------------------------------------------------------------------------------

def train_lse_adam(x, y, W0, b0, eps, *, steps: int, lr: float, dtype=torch.float32,
                   chunk_elems: int = 2 ** 18, loss_every: int = 1):
    r"""Full-batch Adam on the MSE of R independent LSE layers of equal width, with analytic gradients.

    Each run r has its own temperature ε_r and starts from (W0[r], b0[r]); the summed loss is
    minimised, so the runs do not interact (Adam is per-coordinate). The gradient is the closed
    form ∂/∂bⱼ = (2/n) Σᵢ rᵢ πᵢⱼ, ∂/∂Wⱼ = (2/n) Σᵢ rᵢ πᵢⱼ xᵢ (rᵢ the residual, π the Gibbs
    weights), computed in sample blocks so the n × R·N logit matrix never leaves the cache.
    The optimiser is Adam (betas 0.9, 0.999, eps 1e-8) written out in place exactly as
    ``torch.optim.Adam`` computes it: the same update as :func:`hjlib.training.fit_lse` and, up
    to rounding, as the authors' hand-written Adam.

    Parameters
    ----------
    x : array_like, shape (n, d);  y : array_like, shape (n,)
    W0 : array_like, shape (R, N, d);  b0 : array_like, shape (R, N)
    eps : float or array_like, shape (R,)
    steps, lr : int, float
    dtype : torch.dtype
    chunk_elems : int
        Target size (elements) of one block of logits.
    loss_every : int
        Record the training MSE every ``loss_every`` steps.

    Notes
    -----
    Runs on one thread (restored afterwards): at these sizes intra-op threads mostly add
    synchronisation, which on a busy machine costs far more than it gains. Run independent
    settings in separate processes instead (``benchmarks/experiment_b.py`` does).

    Returns
    -------
    W : Tensor (R, N, d), b : Tensor (R, N), history : ndarray (R, steps // loss_every)
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train_lse_adam(x, y, W0, b0, eps, steps, lr, dtype, chunk_elems, loss_every)
    finally:
        torch.set_num_threads(threads)


def _train_lse_adam(x, y, W0, b0, eps, steps, lr, dtype, chunk_elems, loss_every):
    X = torch.as_tensor(np.asarray(x, float)).to(dtype)
    if X.ndim == 1:
        X = X[:, None]
    Y = torch.as_tensor(np.asarray(y, float)).to(dtype).reshape(-1)
    W = torch.as_tensor(np.asarray(W0, float)).to(dtype).clone()
    b = torch.as_tensor(np.asarray(b0, float)).to(dtype).clone()
    R, N, d = W.shape
    n = X.shape[0]
    e = torch.as_tensor(np.broadcast_to(np.asarray(eps, float), (R,)).copy()).to(dtype)
    Xa = torch.cat([X, torch.ones(n, 1, dtype=dtype)], 1)            # (n, d+1)
    cs = max(1, min(n, chunk_elems // (R * N)))
    buf = torch.empty(cs, R * N, dtype=dtype)
    mW, vW, mb, vb = (torch.zeros_like(W), torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(b))
    b1, b2, tiny = 0.9, 0.999, 1e-8
    hist = np.empty((R, steps // loss_every))
    G = torch.empty(R, N, d + 1, dtype=dtype)
    loss = torch.empty(R, dtype=dtype)
    floor = -60.0 if dtype == torch.float32 else -600.0
    with torch.no_grad():
        for k in range(steps):
            Wa = (torch.cat([W, b[..., None]], -1) / e[:, None, None]).reshape(R * N, d + 1)
            G.zero_()
            loss.zero_()
            for i0 in range(0, n, cs):
                xc = Xa[i0:i0 + cs]
                c = xc.shape[0]
                B = buf[:c]
                torch.mm(xc, Wa.T, out=B)
                L = B.view(c, R, N)
                m = L.amax(-1, keepdim=True)
                # terms below e^-60 (f32) / e^-600 (f64) relative to the largest are raised to that
                # floor: their weight is < 1e-23 of the total, and exp of underflowing arguments
                # and arithmetic on subnormal numbers take slow paths on CPU (10-40x slower)
                E = L.sub_(m).clamp_(min=floor).exp_()
                s = E.sum(-1, keepdim=True)
                r = (e[None, :, None] * (s.log() + m)).squeeze(-1) - Y[i0:i0 + c, None]   # (c, R)
                loss += (r * r).sum(0)
                wgt = ((2.0 / n) * r / s.squeeze(-1)).T[:, :, None] * xc[None]         # (R, c, d+1)
                G.baddbmm_(E.permute(1, 2, 0), wgt)                                     # (R, N, d+1)
            # Adam, written out as torch.optim.Adam computes it (bias-corrected, eps outside the sqrt)
            bc1, bc2 = 1 - b1 ** (k + 1), 1 - b2 ** (k + 1)
            for p_, g_, m_, v_ in ((W, G[..., :d], mW, vW), (b, G[..., d], mb, vb)):
                m_.mul_(b1).add_(g_, alpha=1 - b1)
                v_.mul_(b2).addcmul_(g_, g_, value=1 - b2)
                p_.addcdiv_(m_, (v_.sqrt() / math.sqrt(bc2)).add_(tiny), value=-lr / bc1)
            if (k + 1) % loss_every == 0:
                hist[:, (k + 1) // loss_every - 1] = (loss / n).cpu().numpy()
    return W, b, hist


def _lse_eval(x, W, b, eps, dtype=torch.float64):
    """LSE layer outputs (R, m) for stacked parameters W (R, N, d), b (R, N), eps (R,)."""
    X = torch.as_tensor(np.asarray(x, float)).to(dtype)
    W = W.to(dtype)
    b = b.to(dtype)
    e = torch.as_tensor(np.broadcast_to(np.asarray(eps, float), (W.shape[0],)).copy()).to(dtype)
    z = (torch.einsum("md,rnd->rmn", X, W) + b[:, None, :]) / e[:, None, None]
    m = z.amax(-1, keepdim=True)
    s = (z - m).clamp_(min=-600.0).exp_().sum(-1)          # clamp: avoid exp's slow underflow path
    return (e[:, None] * (s.log() + m[..., 0])).numpy()


def authors_init(N: int, d: int, seed: int, init_W: float | None = None, init_b: float = 0.3):
    """Experiment B's initialisation: ``rng = default_rng(seed)``; W = 0.5/√d · N(0,1) (N, d), then b = 0.3 · N(0,1) (N,)."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((N, d)) * (0.5 / np.sqrt(d) if init_W is None else init_W)
    b = rng.standard_normal(N) * init_b
    return W, b


def experiment_b_data(d: int, n_train: int = 4000, n_test: int = 800, seed: int | None = None):
    """Experiment B's data: ``default_rng(42 + d)``, train then test inputs uniform on [−2, 2]^d, target ‖x‖₂."""
    rng = np.random.default_rng(42 + d if seed is None else seed)
    x_tr = rng.uniform(-2.0, 2.0, (n_train, d))
    x_te = rng.uniform(-2.0, 2.0, (n_test, d))
    return x_tr, np.linalg.norm(x_tr, axis=1), x_te, np.linalg.norm(x_te, axis=1)


def experiment_b_setting(d: int, N: int, *, seeds: Sequence[int] = range(5), steps: int = 3000,
                         lr: float = 0.006, n_train: int = 4000, n_test: int = 800,
                         dtype=torch.float32, eps: float | None = None):
    r"""One (d, N) setting of Experiment B: test RMSE of every seed.

    ε = N^{-1/d} unless given; seeds are the authors' (``default_rng(seed + 100 d)``,
    seed = 0..4); test RMSE evaluated in float64. The authors report the best test RMSE over
    the seeds (``rmse.min()``), i.e. a selection on the test set.

    Returns
    -------
    dict with ``rmse`` (ndarray, one per seed), ``train_mse`` (final), ``eps``.
    """
    eps = N ** (-1.0 / d) if eps is None else eps
    x_tr, y_tr, x_te, y_te = experiment_b_data(d, n_train, n_test)
    inits = [authors_init(N, d, s + 100 * d) for s in seeds]
    W0 = np.stack([w for w, _ in inits])
    b0 = np.stack([bb for _, bb in inits])
    W, b, hist = train_lse_adam(x_tr, y_tr, W0, b0, eps, steps=steps, lr=lr, dtype=dtype,
                                loss_every=max(1, steps))
    pred = _lse_eval(x_te, W, b, eps)
    rmse = np.sqrt(((pred - y_te[None]) ** 2).mean(-1))
    train = ((_lse_eval(x_tr, W, b, eps) - y_tr[None]) ** 2).mean(-1)
    return {"rmse": rmse, "train_mse": train, "eps": eps}


def experiment_b_eps_sweep(d: int, N: int, eps_list: Sequence[float], *, seeds: Sequence[int] = range(5),
                           steps: int = 3000, lr: float = 0.006, n_train: int = 4000, n_test: int = 800,
                           dtype=torch.float32):
    """Experiment B at one width N for several temperatures (all ε and seeds in one batch).

    The control for :func:`experiment_b_setting`: same data, seeds and optimiser, ε decoupled from
    N. Returns ``{eps: ndarray of test RMSE per seed}``.
    """
    x_tr, y_tr, x_te, y_te = experiment_b_data(d, n_train, n_test)
    inits = [authors_init(N, d, s + 100 * d) for s in seeds]
    W0 = np.concatenate([np.stack([w for w, _ in inits])] * len(eps_list))
    b0 = np.concatenate([np.stack([bb for _, bb in inits])] * len(eps_list))
    e = np.repeat(np.asarray(eps_list, float), len(seeds))
    W, b, _ = train_lse_adam(x_tr, y_tr, W0, b0, e, steps=steps, lr=lr, dtype=dtype, loss_every=max(1, steps))
    rmse = np.sqrt(((_lse_eval(x_te, W, b, e) - y_te[None]) ** 2).mean(-1))
    S = len(seeds)
    return {float(eps): rmse[k * S:(k + 1) * S] for k, eps in enumerate(eps_list)}


# ---------------------------------------------------------------------------------------------
# sample size: the minimax rate experiment
# ---------------------------------------------------------------------------------------------

def sample_size_errors(d: int, ns: Sequence[int], *, widths: Sequence[int], eps_grid: Sequence[float],
                       sigma: float = 0.1, reps: int = 3, steps: int = 400, lr: float = 0.02,
                       val_frac: float = 0.25, n_test: int = 2000, seed: int = 0,
                       dtype=torch.float32):
    r"""L² error of a validation-tuned LSE layer against the noiseless target ‖x‖₂, as n grows.

    For each replicate and sample size n: draw n inputs uniform on [−2, 2]^d with targets
    ‖x‖₂ + σ·N(0,1); hold out ``val_frac`` of them; for every width N in ``widths`` and ε in
    ``eps_grid`` train one LSE layer (full-batch Adam, ``steps``, ``lr``, initial W ∼ 0.5/√d·N(0,1),
    b ∼ 0.3·N(0,1)); keep the (N, ε) with the lowest validation MSE; report its RMSE against the
    noiseless target on ``n_test`` fresh points. All ε of one width train in one batch.

    Returns
    -------
    dict with ``err`` (reps, len(ns)), ``choice`` (reps, len(ns), 2) = selected (N, ε).
    """
    ns = list(ns)
    err = np.empty((reps, len(ns)))
    choice = np.empty((reps, len(ns), 2))
    ss = np.random.SeedSequence(seed)
    for r, child in enumerate(ss.spawn(reps)):
        rng = np.random.default_rng(child)
        x_te = rng.uniform(-2, 2, (n_test, d))
        y_te = np.linalg.norm(x_te, axis=1)
        for k, n in enumerate(ns):
            x = rng.uniform(-2, 2, (n, d))
            z = np.linalg.norm(x, axis=1) + sigma * rng.standard_normal(n)
            nv = max(1, int(round(val_frac * n)))
            xt, zt, xv, zv = x[nv:], z[nv:], x[:nv], z[:nv]
            best = (np.inf, None)
            for N in widths:
                R = len(eps_grid)
                W0 = rng.standard_normal((1, N, d)).repeat(R, 0) * (0.5 / np.sqrt(d))
                b0 = rng.standard_normal((1, N)).repeat(R, 0) * 0.3
                W, b, _ = train_lse_adam(xt, zt, W0, b0, np.asarray(eps_grid, float), steps=steps,
                                         lr=lr, dtype=dtype, loss_every=steps)
                val = ((_lse_eval(xv, W, b, eps_grid) - zv[None]) ** 2).mean(-1)
                j = int(np.argmin(val))
                if val[j] < best[0]:
                    te = _lse_eval(x_te, W[j:j + 1], b[j:j + 1], eps_grid[j])[0]
                    best = (val[j], (np.sqrt(np.mean((te - y_te) ** 2)), N, eps_grid[j]))
            err[r, k] = best[1][0]
            choice[r, k] = best[1][1:]
    return {"err": err, "choice": choice}


# ---------------------------------------------------------------------------------------------
# the Gibbs-entropy crossing scale
# ---------------------------------------------------------------------------------------------

def mean_gibbs_entropy(x, y, g, eps: float, t: float = 1.0) -> float:
    """Mean over x of the entropy of the Gibbs weights πⱼ(x) ∝ exp(−(gⱼ + |x − yⱼ|²/(4t))/ε)."""
    x = np.atleast_2d(np.asarray(x, float))
    z = -(np.asarray(g, float)[None] + ((x[:, None, :] - y[None]) ** 2).sum(-1) / (4 * t)) / eps
    z -= z.max(1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p > 0, p * np.log(p), 0.0).sum(1)
    return float(h.mean())


def entropy_crossing_eps(x, y, g, level: float, t: float = 1.0, lo: float = 1e-8, hi: float = 1e4,
                         iters: int = 60) -> float:
    """The ε at which :func:`mean_gibbs_entropy` equals ``level`` (bisection in log ε).

    Pointwise, the entropy of softmax(s/ε) increases with ε (its derivative is Var_π(s)/ε³), so
    the mean entropy is monotone and the crossing is unique for 0 < level < log N.
    """
    if not 0 < level < math.log(len(g)):
        raise ValueError(f"level must lie in (0, log N) = (0, {math.log(len(g)):.4g}), got {level}")
    a, c = math.log(lo), math.log(hi)
    for _ in range(iters):
        mid = 0.5 * (a + c)
        if mean_gibbs_entropy(x, y, g, math.exp(mid), t) < level:
            a = mid
        else:
            c = mid
    return math.exp(0.5 * (a + c))


def load_experiment_b(path=None, name: str = "experiment_b") -> dict:
    """Read ``benchmarks/results/<name>.csv`` (written by ``benchmarks/experiment_b.py``).

    Returns
    -------
    dict ``{(d, N, dtype): {"eps": float, "rmse": ndarray (seeds,), "train_mse": ndarray,
    "cpu_seconds": float}}``. The default path is found next to the installed package.
    """
    import csv
    from pathlib import Path

    path = _results_file(f"{name}.csv") if path is None else Path(path)
    out: dict = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            key = (int(row["d"]), int(row["N"]), row["dtype"])
            rec = out.setdefault(key, {"eps": float(row["eps"]), "rmse": [], "train_mse": [],
                                       "cpu_seconds": float(row.get("cpu_seconds") or "nan")})
            rec["rmse"].append(float(row["test_rmse"]))
            rec["train_mse"].append(float(row["train_mse"]))
    for rec in out.values():
        rec["rmse"] = np.array(rec["rmse"])
        rec["train_mse"] = np.array(rec["train_mse"])
    return out


def load_width_controls(path=None) -> dict:
    """Read ``benchmarks/results/width_controls.json`` (written by ``benchmarks/width_controls.py``)."""
    import json
    from pathlib import Path

    path = _results_file("width_controls.json") if path is None else Path(path)
    return json.loads(Path(path).read_text())


def _results_file(name: str):
    """``benchmarks/results/<name>`` of the source tree this package belongs to.

    Looks beside the package first, then in the enclosing directories (a scratch copy of the book
    under ``build/`` finds the repository's committed results).
    """
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for root in here.parents:
        cand = root / "benchmarks" / "results" / name
        if cand.exists():
            return cand
    raise FileNotFoundError(f"benchmarks/results/{name} not found above {here}; run the benchmark script first")
