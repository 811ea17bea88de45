"""Training one-layer LSE networks, vectorised over seeds (and, by padding, over widths).

The book trains small LSE layers many times: several seeds per setting, several widths per
scaling law. Rather than a Python loop over runs, :func:`fit_lse` trains all seeds of one
setting at once as a batch of independent models (Adam is per-coordinate and the total loss is a
sum of per-run losses, so batched training is *exactly* independent training), and
:func:`fit_lse_widths` trains several widths together by padding the narrow models with inactive
neurons whose bias is −∞ (they carry exactly zero Gibbs weight and zero gradient).

Model (the paper's convention): for inputs x ∈ R^d,

.. math::

    f(x) = w_2 \\cdot \\varepsilon \\log \\sum_{j=1}^{N} \\exp\\big((W_j\\cdot x + b_j)/\\varepsilon\\big),

with ``w_2 = 1`` unless ``output_scale=True``; loss = mean squared error. Read a trained layer as
Hopf–Cole initial data with :meth:`LSEFit.initial_data` (``y = 2tW``, ``g = −b − t|W|²``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from . import book as _book
from .hopf import initial_data as _initial_data
from .logsumexp import lse as _lse

__all__ = ["fit_lse", "fit_lse_widths", "LSEFit", "lse_predict"]


def _as_2d(x, name: str, dtype) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    if not torch.is_floating_point(t):
        t = t.to(torch.float64)
    t = t.to(dtype)
    if t.ndim == 1:
        t = t[:, None]
    if t.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, d), got {tuple(t.shape)}")
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return t


def lse_predict(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, eps: float, w2=None) -> torch.Tensor:
    """Batched LSE layer: x (n, d), W (..., N, d), b (..., N) → (..., n).

    ``eps = 0`` gives the max-affine (tropical) network.
    """
    logits = torch.einsum("nd,...kd->...nk", x, W) + b[..., None, :]
    out = _lse(logits, eps, dim=-1)
    if w2 is not None:
        out = out * w2[..., None]
    return out


@dataclass
class LSEFit:
    """The result of :func:`fit_lse`: one trained LSE layer per seed.

    Attributes
    ----------
    W : torch.Tensor, shape (S, N, d)
    b : torch.Tensor, shape (S, N)
    w2 : torch.Tensor or None, shape (S,)
        Output scale (only with ``output_scale=True``).
    eps, t : float
    seeds : list of int
    loss_history : np.ndarray, shape (S, steps)
        Training MSE per seed, recorded every step of the Adam stage.
    train_mse : np.ndarray, shape (S,)
        Final training MSE per seed (after the optional L-BFGS stage).
    """

    W: torch.Tensor
    b: torch.Tensor
    w2: torch.Tensor | None
    eps: float
    t: float
    seeds: list
    loss_history: np.ndarray
    train_mse: np.ndarray
    extra: dict = field(default_factory=dict)

    @property
    def best(self) -> int:
        """Index of the seed with the lowest final training MSE."""
        return int(np.nanargmin(self.train_mse))

    def predict(self, x, seed: int | None = None) -> np.ndarray:
        """Network output at x (n, d) for one seed index (default: the best) as a NumPy array."""
        k = self.best if seed is None else seed
        xt = _as_2d(x, "x", self.W.dtype)
        w2 = None if self.w2 is None else self.w2[k]
        with torch.no_grad():
            out = lse_predict(xt, self.W[k], self.b[k], self.eps, w2)
        return out.cpu().numpy()

    def initial_data(self, seed: int | None = None):
        """Hopf–Cole initial data (y, g) of one trained layer: y = 2tW, g = −b − t|W|²."""
        k = self.best if seed is None else seed
        y, g = _initial_data(self.W[k].detach().cpu().numpy(), self.b[k].detach().cpu().numpy(), self.t)
        return y, g

    def gibbs(self, x, seed: int | None = None) -> np.ndarray:
        """Gibbs (attribution) weights π_j(x), shape (n, N), for one seed index (default: best)."""
        k = self.best if seed is None else seed
        xt = _as_2d(x, "x", self.W.dtype)
        with torch.no_grad():
            logits = xt @ self.W[k].T + self.b[k]
            return torch.softmax(logits / self.eps, dim=-1).cpu().numpy() if self.eps > 0 else (
                torch.nn.functional.one_hot(logits.argmax(-1), logits.shape[-1]).to(logits.dtype).cpu().numpy())


def adam_loop(params, per_run_loss, X, Y, *, steps: int, lr: float, batch_size: int | None,
              seed: int, desc: str, after_backward=None) -> np.ndarray:
    """The Adam loop shared by the book's batched trainers; returns the (runs, steps) loss history.

    ``per_run_loss(xb, yb)`` returns one loss per run; their sum is minimised, so with Adam (per
    coordinate) the runs are exactly independent. Minibatches (``batch_size``) sample without
    replacement, one permutation per epoch from ``torch.Generator().manual_seed(seed)``, shared by
    the runs. ``after_backward()`` may edit gradients (e.g. mask inactive neurons).
    """
    opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    n = X.shape[0]
    gen = torch.Generator().manual_seed(int(seed))
    perm, cursor = None, n
    history = None
    for k in _book.progress(range(steps), desc=desc):
        if batch_size is None or batch_size >= n:
            xb, yb = X, Y
        else:
            if cursor + batch_size > n:
                perm, cursor = torch.randperm(n, generator=gen), 0
            idx = perm[cursor:cursor + batch_size]
            cursor += batch_size
            xb, yb = X[idx], Y[idx]
        opt.zero_grad(set_to_none=True)
        losses = per_run_loss(xb, yb)
        losses.sum().backward()
        if after_backward is not None:
            after_backward()
        opt.step()
        if history is None:
            history = np.empty((losses.shape[0], steps))
        history[:, k] = losses.detach().cpu().numpy()
    if history is None:  # steps == 0: no Adam step, an empty history with one row per run
        with torch.no_grad():
            history = np.empty((per_run_loss(X, Y).shape[0], 0))
    return history


def _init_params(S, N, d, seeds, init_W, init_b, dtype):
    """Independent streams for W and b, so neuron j's initial values do not depend on N."""
    W = torch.empty(S, N, d, dtype=dtype)
    b = torch.empty(S, N, dtype=dtype)
    for k, s in enumerate(seeds):
        gen_W = torch.Generator().manual_seed(int(s))
        gen_b = torch.Generator().manual_seed(int(s) + 1_000_003)
        W[k] = torch.randn(N, d, generator=gen_W, dtype=torch.float64).to(dtype) * init_W
        if callable(init_b):
            b[k] = init_b(N, gen_b).to(dtype)
        else:
            b[k] = torch.randn(N, generator=gen_b, dtype=torch.float64).to(dtype) * init_b
    return W, b


def fit_lse(
    x,
    y,
    *,
    width: int,
    eps: float,
    t: float = 1.0,
    steps: int = 2000,
    lr: float = 1e-2,
    seeds: Sequence[int] = (0,),
    init_W: float = 0.4,
    init_b: float | Callable = 0.2,
    output_scale: bool = False,
    batch_size: int | None = None,
    lbfgs_steps: int = 0,
    dtype: torch.dtype = torch.float64,
    active: torch.Tensor | None = None,
    desc: str | None = None,
) -> LSEFit:
    """Fit ``y ≈ f(x)`` with a one-layer LSE network, all seeds at once (full-batch Adam by default).

    Parameters
    ----------
    x : array_like, shape (n, d) or (n,)
        Training inputs.
    y : array_like, shape (n,)
        Targets.
    width : int
        Number of neurons N.
    eps : float
        Temperature ε > 0 (``0`` trains the max-affine network; gradients are then sub-gradients).
    t : float
        HJ time used only to read the layer as initial data.
    steps, lr : int, float
        Adam iterations and learning rate (betas 0.9, 0.999; eps 1e-8).
    seeds : sequence of int
        One independent run per seed; parameters are drawn from ``torch.Generator().manual_seed(seed)``:
        ``W ~ init_W · N(0, 1)``, ``b ~ init_b · N(0, 1)`` (or ``init_b(N, generator)``), from two
        independent streams so that the first N neurons of a wider run start where a width-N run does.
    output_scale : bool
        Also learn a scalar output weight w₂ per run (initialised at 1).
    batch_size : int, optional
        Minibatch size (sampling without replacement each epoch, one permutation per epoch shared by
        the runs); default full batch.
    lbfgs_steps : int
        Optional L-BFGS polish after Adam (strong-Wolfe line search), on the summed loss.
    dtype : torch.dtype
        float64 (default) or float32.
    active : torch.Tensor of bool, shape (S, N), optional
        Mask of live neurons (used by :func:`fit_lse_widths`); inactive neurons get bias −∞.
    desc : str, optional
        Label of the progress bar (shown in JupyterLab only).

    Returns
    -------
    LSEFit

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-2, 2, 200)
    >>> fit = fit_lse(x, np.abs(x), width=8, eps=0.1, steps=300, lr=0.02, seeds=[0, 1])
    >>> fit.train_mse.shape
    (2,)
    """
    if not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be a positive int, got {width!r}")
    eps = float(eps)
    if not np.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    if not (isinstance(steps, (int, np.integer)) and steps >= 0):
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    X = _as_2d(x, "x", dtype)
    Y = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y).to(dtype).reshape(-1)
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one target per input: x has {X.shape[0]} rows, y has {Y.shape[0]}")
    if not torch.isfinite(Y).all():
        raise ValueError("y must be finite (no NaN or inf)")
    S, N, d = len(seeds), int(width), X.shape[1]
    W, b = _init_params(S, N, d, seeds, init_W, init_b, dtype)
    mask_b = None
    if active is not None:
        if active.shape != (S, N):
            raise ValueError(f"active must have shape {(S, N)}, got {tuple(active.shape)}")
        mask_b = torch.where(active, torch.zeros((), dtype=dtype), torch.full((), -torch.inf, dtype=dtype))
        W = W * active[..., None]
    W.requires_grad_(True)
    b.requires_grad_(True)
    params = [W, b]
    w2 = None
    if output_scale:
        w2 = torch.ones(S, dtype=dtype, requires_grad=True)
        params.append(w2)

    def per_run_mse(xb, yb):
        bb = b if mask_b is None else b + mask_b
        pred = lse_predict(xb, W, bb, eps, w2)
        return ((pred - yb) ** 2).mean(dim=-1)  # (S,)

    def mask_grads():
        if active is not None:
            W.grad.mul_(active[..., None])
            b.grad.mul_(active)

    history = adam_loop(params, per_run_mse, X, Y, steps=steps, lr=lr, batch_size=batch_size,
                        seed=seeds[0] + 7919, desc=desc or f"N={N}, eps={eps:g}", after_backward=mask_grads)

    if lbfgs_steps > 0:
        lbfgs = torch.optim.LBFGS(params, lr=1.0, max_iter=lbfgs_steps, tolerance_grad=1e-14,
                                  tolerance_change=1e-24, history_size=50, line_search_fn="strong_wolfe")

        def closure():
            lbfgs.zero_grad(set_to_none=True)
            loss = per_run_mse(X, Y).sum()
            loss.backward()
            if active is not None:
                W.grad.mul_(active[..., None])
                b.grad.mul_(active)
            return loss

        lbfgs.step(closure)

    with torch.no_grad():
        final = per_run_mse(X, Y).cpu().numpy()
        b_out = b.detach().clone() if mask_b is None else (b + mask_b).detach()
    return LSEFit(W.detach(), b_out, None if w2 is None else w2.detach(), eps, float(t), seeds,
                  history, final)


def fit_lse_widths(x, y, *, widths: Sequence[int], eps: Sequence[float] | Callable[[int], float], **kw):
    """Train several widths (and their seeds) in one batch by padding to the largest width.

    Parameters
    ----------
    widths : sequence of int
        Widths N to train.
    eps : sequence of float, or callable N ↦ ε
        One temperature per width (e.g. ``lambda N: N ** (-1 / d)``). Widths that share ε are
        trained in one padded batch; distinct temperatures are trained batch by batch.
    **kw
        Passed to :func:`fit_lse` (``seeds``, ``steps``, ``lr``, ``init_W``, ``init_b``, ...).

    Returns
    -------
    dict
        ``{N: LSEFit}`` with each fit cut back to its own width.
    """
    widths = [int(N) for N in widths]
    eps_list = [float(eps(N)) for N in widths] if callable(eps) else [float(e) for e in eps]
    if len(eps_list) != len(widths):
        raise ValueError("eps must give one temperature per width")
    out = {}
    seeds = [int(s) for s in kw.pop("seeds", (0,))]
    for e in sorted(set(eps_list)):
        group = [N for N, ee in zip(widths, eps_list) if ee == e]
        Nmax = max(group)
        all_seeds, active_rows = [], []
        for N in group:
            for s in seeds:
                all_seeds.append(s)
                row = torch.zeros(Nmax, dtype=torch.bool)
                row[:N] = True
                active_rows.append(row)
        active = torch.stack(active_rows)
        fit = fit_lse(x, y, width=Nmax, eps=e, active=active, seeds=all_seeds, **kw)
        S = len(seeds)
        for g, N in enumerate(group):
            sl = slice(g * S, (g + 1) * S)
            out[N] = LSEFit(fit.W[sl, :N].clone(), fit.b[sl, :N].clone(),
                            None if fit.w2 is None else fit.w2[sl].clone(), e, fit.t, seeds,
                            fit.loss_history[sl], fit.train_mse[sl])
    return out
