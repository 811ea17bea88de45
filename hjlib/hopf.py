r"""Discrete Hopf–Cole and Hopf–Lax solutions, Gibbs weights and the LSE ↔ initial-data map.

Convention (the paper's): ∂ₜu + |∇u|² = ε Δu, u(·,0) = g, Hopf–Lax cost |x − y|²/(4t).
For atoms yⱼ with values gⱼ (and optional quadrature weights wⱼ ≥ 0)

.. math::

    u^N_\varepsilon(x,t) = -\varepsilon \log \sum_j w_j
        \exp\Big(-\frac{g_j + |x-y_j|^2/(4t)}{\varepsilon}\Big),
    \qquad u_0(x,t) = \min_j \Big(g_j + \frac{|x-y_j|^2}{4t}\Big).

Implementation. All pair costs are evaluated through the LSE-layer form
``S_ij = x̃ᵢ·ỹⱼ/(2t) − |ỹⱼ|²/(4t) − gⱼ`` (one matrix product), with ``x̃ = x − c``, ``ỹ = y − c``
centred at ``c = mean(y)`` so the expansion |x−y|² = |x|² − 2x·y + |y|² does not cancel
catastrophically when the data sit far from the origin; then ``u = |x̃|²/(4t) − ε LSE(S/ε)``
(this is the identity f + u = |x|²/(4t) in centred coordinates).

Two evaluation paths:

* dense (small problems, or whenever gradients of any order are needed): plain torch ops on the
  (N, M) score matrix, differentiable to any order (used by :func:`hjlib.pde_residual`);
* streaming (``chunk_size`` given, or N·M > ``DENSE_LIMIT`` with gradients required): an online
  log-sum-exp over column chunks inside a custom ``torch.autograd.Function`` whose backward
  recomputes the Gibbs weights chunk by chunk, so forward and backward memory is O(N·chunk).
  It supports first derivatives in x, y, g, t and the weights.

Without gradients both paths use the same cache-blocked kernel. In it, exponents more than
80 (float32) or 700 (float64) below the row maximum (in units of ε) are clamped to that floor
before ``exp``: ``exp`` of arguments that underflow is 10–100× slower on CPUs, and the clamp
perturbs the sum by at most M·e⁻⁸⁰ ≈ M·1.8e-35 (float32) or M·e⁻⁷⁰⁰ (float64) relative to its
largest term, far below rounding.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ._checks import (
    backend_of, check_eps, check_t, check_weights, points_and_data, as_tensor, check_finite,
)

__all__ = ["gibbs_weights", "hopf_cole", "hopf_cole_grad", "hopf_lax", "lse_params", "initial_data"]

#: above this many pairs N·M, gradients go through the streaming (chunked) path by default
DENSE_LIMIT = 1 << 22
#: default column chunk of the streaming path
DEFAULT_CHUNK = 4096
#: target number of score-matrix elements held at once by the blocked kernel (fits in L2)
_BLOCK_ELEMS = 1 << 18
_FLOOR = {torch.float32: -80.0, torch.float64: -700.0}


# ----------------------------------------------------------------------------------------------
# preparation shared by the public functions
class _Problem:
    """Validated, centred tensors for one call."""

    __slots__ = ("be", "xc", "yc", "g", "t", "eps", "batch", "d", "n", "M", "y_was_1d")

    def __init__(self, x, y, g, t, eps, weights=None, *, allow_eps=True):
        self.eps = check_eps(eps) if allow_eps else 0.0
        self.be = be = backend_of(x, y, g, weights, t if isinstance(t, torch.Tensor) else None)
        x2, y2, gt, batch, d = points_and_data(x, y, g, be)
        self.batch, self.d = batch, d
        self.y_was_1d = (y.ndim if isinstance(y, torch.Tensor) else np.ndim(y)) == 1
        self.n, self.M = x2.shape[0], y2.shape[0]
        tt = check_t(t, be, batch)
        if isinstance(tt, float):
            tt = torch.tensor(tt, dtype=be.dtype, device=be.device)
        elif tt.ndim > 0:
            tt = tt.broadcast_to(batch).reshape(-1)
        self.t = tt  # 0-d or (n,)
        w = check_weights(weights, self.M, be)
        if w is not None:
            pos = w > 0
            if not pos.any():
                raise ValueError("weights must have at least one positive entry")
            one = torch.ones((), dtype=w.dtype, device=w.device)
            logw = torch.log(torch.where(pos, w, one))
            inf = torch.full((), math.inf, dtype=gt.dtype, device=gt.device)
            gt = torch.where(pos, gt - self.eps * logw, inf)
        self.g = gt
        c = y2.detach().mean(0)
        self.xc = x2 - c
        self.yc = y2 - c

    def needs_grad(self) -> bool:
        return torch.is_grad_enabled() and any(
            v.requires_grad for v in (self.xc, self.yc, self.g, self.t))

    def x_sq_over_4t(self):
        return (self.xc * self.xc).sum(-1) / (4 * self.t)


def _scores(xc, yc, g, t, scale):
    """S·scale with S_ij = x̃ᵢ·ỹⱼ/(2tᵢ) − |ỹⱼ|²/(4tᵢ) − gⱼ (differentiable torch ops)."""
    ysq = (yc * yc).sum(-1)
    if t.ndim == 0:
        W = yc * (scale / (2 * t))
        b = -(g + ysq / (4 * t)) * scale
        return torch.addmm(b, xc, W.T)
    A = torch.addmm(-0.5 * ysq, xc, yc.T)
    return A * (scale / (2 * t)).unsqueeze(-1) - g * scale


def _block_rows(M_chunk: int) -> int:
    return max(8, _BLOCK_ELEMS // max(M_chunk, 1))


@torch.no_grad()
def _row_lse_blocked(xc, yc, g, t, eps, col_chunk, fold=True):
    """F_i = ε·LSE_j(S_ij/ε) (max_j S_ij if ε = 0), without building the (N, M) matrix.

    Online log-sum-exp over column chunks, cache-sized row blocks, in-place ops.
    """
    n, M = xc.shape[0], yc.shape[0]
    dtype = xc.dtype
    floor = _FLOOR.get(dtype, -80.0)
    scale, div = _scale_div(eps, fold)
    col_chunk = min(max(int(col_chunk), 1), M)
    rb = _block_rows(col_chunk)
    ysq = (yc * yc).sum(-1)
    scalar_t = t.ndim == 0
    if scalar_t:
        W = yc * (scale / (2 * t))
        b = -(g + ysq / (4 * t)) * scale
        WT = W.T.contiguous() if col_chunk == M else None
    out = torch.empty(n, dtype=dtype, device=xc.device)
    buf = torch.empty(min(rb, n) * col_chunk, dtype=dtype, device=xc.device)
    for i0 in range(0, n, rb):
        i1 = min(i0 + rb, n)
        xb = xc[i0:i1]
        m = s = None
        for j0 in range(0, M, col_chunk):
            j1 = min(j0 + col_chunk, M)
            Z = buf[: (i1 - i0) * (j1 - j0)].view(i1 - i0, j1 - j0)
            if scalar_t:
                torch.addmm(b[j0:j1], xb, WT if WT is not None else W[j0:j1].T, out=Z)
            else:
                torch.addmm(-0.5 * ysq[j0:j1], xb, yc[j0:j1].T, out=Z)
                Z.mul_((scale / (2 * t[i0:i1])).unsqueeze(-1)).sub_(g[j0:j1] * scale)
            mb = Z.amax(1)
            if eps == 0:
                m = mb if m is None else torch.maximum(m, mb)
                continue
            m_new = mb if m is None else torch.maximum(m, mb)
            m_safe = torch.where(torch.isfinite(m_new), m_new, torch.zeros_like(m_new))
            Z.sub_(m_safe.unsqueeze(-1))
            if div != 1.0:
                Z.div_(div)
            Z.clamp_(min=floor).exp_()
            sb = Z.sum(1)
            if s is None:
                s = sb
            else:
                s = s * torch.exp(((m - m_safe) / div).clamp_(min=floor)) + sb
            m = m_new
        if eps == 0:
            out[i0:i1] = m
        else:
            val = m_safe + div * torch.log(s)
            out[i0:i1] = torch.where(torch.isfinite(m), val, m) * (eps if fold else 1.0)
    return out


class _StreamingLSE(torch.autograd.Function):
    """F_i = ε LSE_j(S_ij/ε) by column chunks; backward recomputes Gibbs weights chunk-wise."""

    @staticmethod
    def forward(ctx, xc, yc, g, t, eps, col_chunk, fold):
        F = _row_lse_blocked(xc, yc, g, t, eps, col_chunk, fold)
        ctx.save_for_backward(xc, yc, g, t, F)
        ctx.eps, ctx.col_chunk, ctx.fold = eps, col_chunk, fold
        return F

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, G):
        xc, yc, g, t, F = ctx.saved_tensors
        eps, col_chunk = ctx.eps, ctx.col_chunk
        n, M = xc.shape[0], yc.shape[0]
        floor = _FLOOR.get(xc.dtype, -80.0)
        scale, div = _scale_div(eps, ctx.fold)
        need_x, need_y, need_g, need_t = ctx.needs_input_grad[:4]
        col_chunk = min(max(int(col_chunk), 1), M)
        rb = _block_rows(col_chunk)
        ybar = torch.zeros_like(xc)                     # Σ_j π_ij ỹ_j
        ey2 = torch.zeros(n, dtype=xc.dtype, device=xc.device)  # Σ_j π_ij |ỹ_j|²
        gy = torch.zeros_like(yc)
        gg = torch.zeros_like(g)
        ysq = (yc * yc).sum(-1)
        tt = t.broadcast_to((n,)) if t.ndim == 0 else t
        Gs = G / (2 * tt)                               # G_i / (2 t_i)
        Fs = F * scale
        finite = torch.isfinite(Fs)
        Fs_safe = torch.where(finite, Fs, torch.zeros_like(Fs))
        for i0 in range(0, n, rb):
            i1 = min(i0 + rb, n)
            for j0 in range(0, M, col_chunk):
                j1 = min(j0 + col_chunk, M)
                Z = _scores(xc[i0:i1], yc[j0:j1], g[j0:j1],
                            t if t.ndim == 0 else t[i0:i1], scale)
                Z.sub_(Fs_safe[i0:i1].unsqueeze(-1))
                if div != 1.0:
                    Z.div_(div)
                P = Z.clamp_(min=floor).exp_()
                P = P * finite[i0:i1].unsqueeze(-1)
                ybar[i0:i1] += P @ yc[j0:j1]
                if need_t:
                    ey2[i0:i1] += P @ ysq[j0:j1]
                if need_y or need_g:
                    Q = P * G[i0:i1].unsqueeze(-1)
                    if need_g:
                        gg[j0:j1] -= Q.sum(0)
                    if need_y:
                        Qs = P * Gs[i0:i1].unsqueeze(-1)
                        gy[j0:j1] += Qs.T @ xc[i0:i1] - yc[j0:j1] * Qs.sum(0).unsqueeze(-1)
        gx = ybar * Gs.unsqueeze(-1) if need_x else None
        gt = None
        if need_t:
            dF_dt = -((xc * ybar).sum(-1) - 0.5 * ey2) / (2 * tt * tt)
            gt = (G * dF_dt)
            gt = gt.sum() if t.ndim == 0 else gt
        return gx, (gy if need_y else None), (gg if need_g else None), gt, None, None, None


def _lse_of_scores(p: _Problem, chunk_size):
    """F = ε LSE_j(S_ij/ε) (or max_j S_ij at ε = 0) along the path the caller asked for."""
    eps = p.eps
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size < 1):
        raise ValueError(f"chunk_size must be a positive integer or None, got {chunk_size!r}")
    if eps == 0:
        return _max_rows(p)
    fold = _fold_ok(p)
    if chunk_size is not None:
        return _StreamingLSE.apply(p.xc, p.yc, p.g, p.t, eps, int(chunk_size), fold)
    if not p.needs_grad():
        col = p.M if p.M <= 2 * DEFAULT_CHUNK else DEFAULT_CHUNK
        return _row_lse_blocked(p.xc, p.yc, p.g, p.t, eps, col, fold)
    if p.n * p.M > DENSE_LIMIT:
        return _StreamingLSE.apply(p.xc, p.yc, p.g, p.t, eps, DEFAULT_CHUNK, fold)
    if fold:
        return eps * torch.logsumexp(_scores(p.xc, p.yc, p.g, p.t, 1.0 / eps), -1)
    S = _scores(p.xc, p.yc, p.g, p.t, 1.0)
    m = S.detach().amax(-1, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    return (m + eps * torch.logsumexp((S - m) / eps, -1, keepdim=True)).squeeze(-1)


def _scale_div(eps: float, fold: bool):
    """(scale folded into the scores, divisor applied after the max shift)."""
    if eps == 0:
        return 1.0, 1.0
    return (1.0 / eps, 1.0) if fold else (1.0, eps)


def _fold_ok(p: _Problem) -> bool:
    """Can 1/ε be folded into the matmul operands without overflow of S/ε? (False for
    extremely small ε, e.g. 1e-300, where the max is subtracted before dividing instead.)"""
    if p.eps == 0:
        return False
    with torch.no_grad():
        tmin = p.t.min() if p.t.ndim else p.t
        gfin = p.g[torch.isfinite(p.g)]
        bound = (p.xc.abs().sum(-1).max() * p.yc.abs().max() / (2 * tmin) if p.n else 0.0) \
            + (p.yc * p.yc).sum(-1).max() / (4 * tmin) + (gfin.abs().max() if gfin.numel() else 0.0)
        limit = torch.finfo(p.xc.dtype).max / 1e6
        return bool(float(bound) / p.eps < limit) and 1.0 / p.eps < limit


def _scaled_scores(xc, yc, g, t, eps):
    """Scores divided by ε, safe for any ε > 0 (shifted by the row max when ε is tiny);
    plain S at ε = 0. For softmax-type uses (shift invariant)."""
    if eps == 0:
        return _scores(xc, yc, g, t, 1.0)
    scale = 1.0 / eps
    if math.isfinite(scale) and scale < 1e200:
        Z = _scores(xc, yc, g, t, scale)
        Zd = Z.detach()
        if not (torch.isposinf(Zd).any() or torch.isnan(Zd).any()):
            return Z
    S = _scores(xc, yc, g, t, 1.0)
    m = S.detach().amax(-1, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    return (S - m) / eps


def _max_rows(p: _Problem, return_index: bool = False):
    """max_j S_ij by row blocks. Differentiable (torch.max saves only indices, so autograd
    memory stays O(N + M·d)); the gradient goes to one maximiser (the first on ties)."""
    rb = _block_rows(p.M)
    vals, idxs = [], []
    for i0 in range(0, p.n, rb):
        i1 = min(i0 + rb, p.n)
        t_ = p.t if p.t.ndim == 0 else p.t[i0:i1]
        v, j = _scores(p.xc[i0:i1], p.yc, p.g, t_, 1.0).max(-1)
        vals.append(v)
        idxs.append(j)
    F = torch.cat(vals) if vals else p.xc.sum(-1)
    if return_index:
        j = torch.cat(idxs) if idxs else torch.zeros(0, dtype=torch.long, device=p.xc.device)
        return F, j
    return F


# ----------------------------------------------------------------------------------------------
# public API
def hopf_cole(x, y, g, t, eps, *, weights=None, normalized: bool = False, chunk_size=None):
    r"""Discrete Hopf–Cole solution of ∂ₜu + |∇u|² = εΔu with atomic initial data.

    .. math::

        u(x,t) = -\varepsilon \log \sum_{j=1}^M w_j
            \exp\Big(-\frac{g_j + |x-y_j|^2/(4t)}{\varepsilon}\Big)
            \;\Big[\, + \tfrac{\varepsilon d}{2}\log(4\pi\varepsilon t) \ \text{if normalized}\Big]

    Unnormalised, u solves ∂ₜu + |∇u|² = εΔu − εd/(2t) (a constant source); ``normalized=True``
    adds (εd/2)·log(4πεt), which makes it the exact solution of the homogeneous equation for
    the atomic datum Σⱼ wⱼ e^{−gⱼ/ε} δ_{yⱼ} (with wⱼ quadrature weights it is a quadrature of
    the continuum Hopf–Cole integral). ``eps = 0`` gives the Hopf–Lax value min over positive
    weights (the normalisation then adds 0, its ε → 0 limit).

    Parameters
    ----------
    x : array_like or Tensor, shape (..., d), or (...) when y is 1-D
        Evaluation points; leading dimensions are batch dimensions.
    y : array_like or Tensor, shape (M, d) or (M,) for d = 1
        Atoms (support points).
    g : array_like or Tensor, shape (M,)
        Initial values at the atoms; ``+inf`` removes an atom, ``-inf``/NaN are rejected.
    t : float > 0, or Tensor broadcastable to the batch shape (differentiable)
    eps : float ≥ 0
    weights : array_like or Tensor, shape (M,), optional
        wⱼ ≥ 0 (zero excludes the atom). Default: all ones.
    normalized : bool
        Add (εd/2)·log(4πεt).
    chunk_size : int, optional
        Force the streaming path with column chunks of this size (memory O(N·chunk_size) in
        forward and backward; first derivatives only). Default: dense for small problems,
        streaming with chunks of 4096 for N·M > 2²² when gradients are needed.

    Returns
    -------
    u : ndarray or Tensor, shape x.shape[:-1] (or x.shape when y is 1-D).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import hopf_cole
    >>> u = hopf_cole(np.array([0.0, 1.0]), np.array([0.0]), np.array([0.0]), t=1.0, eps=0.1)
    >>> np.allclose(u, [0.0, 0.25])       # one atom: |x − y|²/(4t) + g
    True
    """
    p = _Problem(x, y, g, t, eps, weights)
    F = _lse_of_scores(p, chunk_size)
    u = p.x_sq_over_4t() - F
    if normalized and p.eps > 0:
        u = u + (p.eps * p.d / 2) * torch.log(4 * math.pi * p.eps * p.t)
    return p.be.out(u.reshape(p.batch))


def gibbs_weights(x, y, g, t, eps, *, weights=None):
    r"""Gibbs (attribution) weights πᵢⱼ: softmax over j of −(gⱼ + |xᵢ − yⱼ|²/(4t))/ε.

    .. math::

        \pi_j(x) = \frac{w_j e^{-(g_j + |x-y_j|^2/4t)/\varepsilon}}
                        {\sum_k w_k e^{-(g_k + |x-y_k|^2/4t)/\varepsilon}}
                 = \mathrm{softmax}_j\Big(\frac{W_j\cdot x + b_j}{\varepsilon}\Big)

    the same weights in the Hopf–Cole and LSE-layer pictures (``∂u/∂gⱼ = πⱼ``). At ``eps = 0``
    the indicator of the Hopf–Lax minimiser (ties share equally).

    Shapes: x (..., d) [or (...) with 1-D y], y (M, d) [or (M,)], g (M,) → π (..., M).
    Builds the dense (N, M) matrix (it is the output).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import gibbs_weights
    >>> gibbs_weights(np.array([0.0]), np.array([-1.0, 1.0]), np.zeros(2), 1.0, 0.5)
    array([[0.5, 0.5]])
    """
    p = _Problem(x, y, g, t, eps, weights)
    Z = _scaled_scores(p.xc, p.yc, p.g, p.t, p.eps)
    if p.eps > 0:
        P = torch.softmax(Z, -1)
    else:
        hit = (Z == Z.amax(-1, keepdim=True)).to(Z.dtype)
        P = hit / hit.sum(-1, keepdim=True)
    return p.be.out(P.reshape(*p.batch, p.M))


def hopf_cole_grad(x, y, g, t, eps, *, weights=None):
    r"""Spatial gradient of the discrete Hopf–Cole solution, the characteristic velocity field.

    .. math::

        \nabla_x u(x,t) = \frac{x - \mathbb E_\pi[y]}{2t}, \qquad
        \mathbb E_\pi[y] = \sum_j \pi_j(x)\, y_j \ \text{(posterior mean)}.

    ``eps = 0`` gives (x − y_{j*})/(2t) at the Hopf–Lax minimiser (ties averaged). The
    normalisation constant does not depend on x, so this is the gradient in both cases.

    Shapes: x (..., d), y (M, d), g (M,) → (..., d); with 1-D y: x (...) → (...).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import hopf_cole_grad
    >>> hopf_cole_grad(np.array([1.0]), np.array([0.0]), np.array([0.0]), 1.0, 0.3)
    array([0.5])
    """
    p = _Problem(x, y, g, t, eps, weights)
    rb = _block_rows(p.M)
    rows = []
    for i0 in range(0, p.n, rb):
        i1 = min(i0 + rb, p.n)
        t_ = p.t if p.t.ndim == 0 else p.t[i0:i1]
        Z = _scaled_scores(p.xc[i0:i1], p.yc, p.g, t_, p.eps)
        if p.eps > 0:
            P = torch.softmax(Z, -1)
        else:
            hit = (Z == Z.amax(-1, keepdim=True)).to(Z.dtype)
            P = hit / hit.sum(-1, keepdim=True)
        tt = t_ if t_.ndim == 0 else t_.unsqueeze(-1)
        rows.append((p.xc[i0:i1] - P @ p.yc) / (2 * tt))
    v = torch.cat(rows, 0) if rows else p.xc * 0
    shape = p.batch if p.y_was_1d else (*p.batch, p.d)
    return p.be.out(v.reshape(shape))


def hopf_lax(x, y, g, t, *, return_argmin: bool = False):
    r"""Hopf–Lax (ε = 0) solution with atomic data: u₀(x,t) = minⱼ (gⱼ + |x − yⱼ|²/(4t)).

    The tropical limit of :func:`hopf_cole`:
    u₀ − ε log M ≤ u_ε ≤ u₀ (unit weights, unnormalised).

    Parameters
    ----------
    x : (..., d) or (...) with 1-D y;  y : (M, d) or (M,);  g : (M,);  t : float > 0, or array broadcastable to the batch shape
    return_argmin : bool
        Also return the index j* of the minimiser (int64, shape of u; first index on ties).

    Returns
    -------
    u : shape x.shape[:-1] (or x.shape for 1-D y), and ``argmin`` if requested.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import hopf_lax
    >>> t = 1.0; y = np.array([0.0, 2 * t]); g = np.array([0.0, -t])   # ReLU data (claim C9)
    >>> x = np.array([-1.0, 0.5, 2.0])
    >>> x**2 / (4 * t) - hopf_lax(x, y, g, t)
    array([0. , 0.5, 2. ])
    """
    p = _Problem(x, y, g, t, 0.0)
    F, j = _max_rows(p, return_index=True)
    u = (p.x_sq_over_4t() - F).reshape(p.batch)
    if return_argmin:
        return p.be.out((u, j.reshape(p.batch)))
    return p.be.out(u)


def lse_params(y, g, t):
    r"""LSE-layer parameters of the Hopf–Cole data: Wⱼ = yⱼ/(2t), bⱼ = −gⱼ − |yⱼ|²/(4t).

    With these, ε·LSE((W·x + b)/ε) + u^N_ε(x,t) = |x|²/(4t) for every ε ≥ 0 (Theorem 4.1).
    Inverse: :func:`initial_data`.

    Shapes: y (M, d) or (M,), g (M,) → W of y's shape, b (M,).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import lse_params
    >>> W, b = lse_params(np.array([[2.0, 0.0]]), np.array([1.0]), t=1.0)
    >>> W, b
    (array([[1., 0.]]), array([-2.]))
    """
    be = backend_of(y, g, t if isinstance(t, torch.Tensor) else None)
    yt = as_tensor(y, "y", be)
    gt = as_tensor(g, "g", be)
    if yt.ndim not in (1, 2):
        raise ValueError(f"y must have shape (M, d) or (M,), got {tuple(yt.shape)}")
    if gt.shape != (yt.shape[0],):
        raise ValueError(
            f"g must have shape (M,) with M == y.shape[0] == {yt.shape[0]}, got {tuple(gt.shape)}")
    check_finite(yt, "y")
    check_finite(gt, "g")
    tt = check_t(t, be, ())
    ysq = yt * yt if yt.ndim == 1 else (yt * yt).sum(-1)
    return be.out((yt / (2 * tt), -gt - ysq / (4 * tt)))


def initial_data(W, b, t):
    r"""Initial data of an LSE layer read as a Hopf–Cole solution: yⱼ = 2tWⱼ, gⱼ = −bⱼ − t|Wⱼ|².

    Inverse of :func:`lse_params` (an affine bijection for each fixed t > 0).

    Shapes: W (M, d) or (M,), b (M,) → y of W's shape, g (M,).

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import initial_data
    >>> initial_data(np.array([[1.0, 0.0]]), np.array([-2.0]), t=1.0)
    (array([[2., 0.]]), array([1.]))
    """
    be = backend_of(W, b, t if isinstance(t, torch.Tensor) else None)
    Wt = as_tensor(W, "W", be)
    bt = as_tensor(b, "b", be)
    if Wt.ndim not in (1, 2):
        raise ValueError(f"W must have shape (M, d) or (M,), got {tuple(Wt.shape)}")
    if bt.shape != (Wt.shape[0],):
        raise ValueError(
            f"b must have shape (M,) with M == W.shape[0] == {Wt.shape[0]}, got {tuple(bt.shape)}")
    check_finite(Wt, "W")
    check_finite(bt, "b")
    tt = check_t(t, be, ())
    Wsq = Wt * Wt if Wt.ndim == 1 else (Wt * Wt).sum(-1)
    return be.out((2 * tt * Wt, -bt - tt * Wsq))
