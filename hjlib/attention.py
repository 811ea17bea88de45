r"""Attention as Gibbs weights: torch blocks with an explicit temperature ε and per-key bias.

Convention (the paper's): ∂ₜu + |∇u|² = εΔu, Hopf–Lax cost |x − y|²/(4t). Scaled dot-product
attention with temperature ε and a per-key bias aⱼ,

.. math::

    \pi_{ij} = \mathrm{softmax}_j\Big(\frac{q_i\cdot k_j + a_j}{\varepsilon}\Big)
             = \frac{\partial}{\partial z_j}\,\mathrm{LSE}_\varepsilon(z)\Big|_{z_j = q_i\cdot k_j + a_j},
    \qquad \mathrm{Attn}_i = \sum_j \pi_{ij} v_j ,

is the gradient of a log-sum-exp contracted with the values (the usual choice is ε = √d_k,
aⱼ = 0). Distance (L2) attention with keys yⱼ, per-key bias gⱼ and time t,

.. math::

    \pi_j(x) = \mathrm{softmax}_j\Big(-\frac{g_j + |x-y_j|^2/(4t)}{\varepsilon}\Big),

is the Gibbs weight of the discrete Hopf–Cole solution :func:`hjlib.hopf_cole`; expanding the
square it is dot-product attention with scores x·yⱼ/(2t) and bias −|yⱼ|²/(4t) − gⱼ
(:func:`l2_as_dot_product`).

Contents

* functions: :func:`gibbs_attention`, :func:`attention_weights`, :func:`l2_attention_weights`,
  :func:`l2_attention`, :func:`l2_as_dot_product`, :func:`attention_entropy`, :func:`regime`,
  :func:`hopfield_energy`, :func:`hopfield_step`;
* modules: :class:`GibbsAttention` (multi-head self-attention), :class:`L2Attention`,
  :class:`LSEFFN` (a feed-forward block made of LSE layers), :class:`TinyTransformer`;
* a toy task for the book: :func:`reverse_batch`, :func:`train_sequence_model`.

All functions take and return torch tensors (NumPy arrays are converted, float64 kept).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch import nn

__all__ = [
    "gibbs_attention", "attention_weights", "l2_attention_weights", "l2_attention",
    "l2_as_dot_product", "attention_entropy", "regime", "hopfield_energy", "hopfield_step",
    "GibbsAttention", "L2Attention", "LSEFFN", "TinyTransformer",
    "reverse_batch", "train_sequence_model", "PARTICLE_MAX", "WAVE_MIN",
]

#: normalised entropy below which a head is read as "particle" (the authors' demo threshold)
PARTICLE_MAX = 0.33
#: normalised entropy above which a head is read as "wave"
WAVE_MIN = 0.66


def _t(a) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a
    a = np.asarray(a)
    return torch.as_tensor(a, dtype=torch.float64 if a.dtype.kind in "iub" else None)


def _check_positive(name: str, v) -> float:
    v = float(v)
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number > 0, got {v}")
    return v


# ----------------------------------------------------------------------------------------------
# functional forms
def attention_weights(q, k, eps, *, bias=None, mask=None) -> torch.Tensor:
    r"""Attention (Gibbs) weights πᵢⱼ = softmax_j((qᵢ·kⱼ + aⱼ)/ε).

    Parameters
    ----------
    q : tensor, shape (..., n_q, d)
        Queries.
    k : tensor, shape (..., n_k, d)
        Keys.
    eps : float > 0
        Temperature ε (the usual scaled dot-product attention has ε = √d).
    bias : tensor, optional, broadcastable to (..., n_k)
        Per-key bias aⱼ, added to every query's score *before* dividing by ε.
    mask : bool tensor, optional, broadcastable to (..., n_q, n_k)
        True where query i may attend to key j (e.g. a causal mask). Each row needs a True.

    Returns
    -------
    tensor, shape (..., n_q, n_k)
        Rows are probability vectors: the gradient of z ↦ LSE_ε(z) at zⱼ = qᵢ·kⱼ + aⱼ.

    Examples
    --------
    >>> import torch
    >>> q = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    >>> k = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    >>> attention_weights(q, k, 1.0)
    tensor([[0.7311, 0.2689]], dtype=torch.float64)
    """
    eps = _check_positive("eps", eps)
    q, k = _t(q), _t(k)
    scores = q @ k.transpose(-1, -2)
    if bias is not None:
        scores = scores + _t(bias).to(scores.dtype).unsqueeze(-2)
    if mask is not None:
        mask = torch.as_tensor(mask, dtype=torch.bool, device=scores.device)
        if not mask.any(-1).all():
            raise ValueError("every query needs at least one key it may attend to (a row of the mask is all False)")
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores / eps, dim=-1)


def gibbs_attention(q, k, v, eps, *, bias=None, mask=None):
    r"""Attention output Σⱼ πᵢⱼ vⱼ with πᵢⱼ = softmax_j((qᵢ·kⱼ + aⱼ)/ε); returns (output, weights).

    Shapes: q (..., n_q, d), k (..., n_k, d), v (..., n_k, d_v) → output (..., n_q, d_v),
    weights (..., n_q, n_k). See :func:`attention_weights` for ``bias`` and ``mask``.

    Examples
    --------
    >>> import torch
    >>> q = torch.zeros(1, 2, dtype=torch.float64)
    >>> k = torch.randn(3, 2, dtype=torch.float64); v = torch.arange(3.0, dtype=torch.float64)[:, None]
    >>> out, w = gibbs_attention(q, k, v, 1.0)        # q = 0: uniform weights, mean of values
    >>> float(out)
    1.0
    """
    w = attention_weights(q, k, eps, bias=bias, mask=mask)
    return w @ _t(v).to(w.dtype), w


def l2_attention_weights(x, keys, g, t, eps) -> torch.Tensor:
    r"""Distance attention: πⱼ(x) = softmax_j(−(gⱼ + |x − yⱼ|²/(4t))/ε), from explicit differences.

    These are the Gibbs weights of the discrete Hopf–Cole solution with atoms ``keys`` = yⱼ and
    values ``g`` = gⱼ. The squared distances are formed from the differences x − yⱼ, not by
    expanding the square, so this is an independent computation of the weights that
    :func:`l2_as_dot_product` + :func:`attention_weights` (or :func:`hjlib.gibbs_weights`) give.

    Shapes: x (..., n_q, d), keys (..., n_k, d), g broadcastable to (..., n_k) → (..., n_q, n_k).

    Examples
    --------
    >>> import torch
    >>> x = torch.zeros(1, 1, dtype=torch.float64)
    >>> y = torch.tensor([[-1.0], [1.0]], dtype=torch.float64)
    >>> l2_attention_weights(x, y, torch.zeros(2, dtype=torch.float64), 1.0, 0.5)
    tensor([[0.5000, 0.5000]], dtype=torch.float64)
    """
    eps, t = _check_positive("eps", eps), _check_positive("t", t)
    x, keys = _t(x), _t(keys)
    diff = x.unsqueeze(-2) - keys.unsqueeze(-3)            # (..., n_q, n_k, d)
    cost = (diff * diff).sum(-1) / (4 * t) + _t(g).to(x.dtype).unsqueeze(-2)
    return torch.softmax(-cost / eps, dim=-1)


def l2_attention(x, keys, values, g, t, eps):
    r"""Distance-attention output Σⱼ πⱼ(x) vⱼ with the Hopf–Cole weights of
    :func:`l2_attention_weights`; returns (output, weights).

    With ``values = keys`` the output is the posterior mean E_π[y] = x − 2t ∇ₓu of the
    discrete Hopf–Cole solution u (a Tweedie-type formula).
    """
    w = l2_attention_weights(x, keys, g, t, eps)
    return w @ _t(values).to(w.dtype), w


def l2_as_dot_product(keys, g, t):
    r"""Rewrite distance attention as dot-product attention: return (k_eff, bias) with
    k_eff = yⱼ/(2t) and bias = −|yⱼ|²/(4t) − gⱼ, so that

    ``attention_weights(x, k_eff, eps, bias=bias) == l2_attention_weights(x, keys, g, t, eps)``

    (the |x|²/(4t) term of the expanded square is the same for every key and cancels in the
    softmax). These are the LSE-layer weights Wⱼ, bⱼ of the Hopf–Cole data (yⱼ, gⱼ).
    """
    t = _check_positive("t", t)
    keys = _t(keys)
    return keys / (2 * t), -(keys * keys).sum(-1) / (4 * t) - _t(g).to(keys.dtype)


def attention_entropy(weights, *, normalized: bool = True) -> torch.Tensor:
    r"""Entropy H = −Σⱼ πⱼ log πⱼ of each attention row (0 log 0 = 0), optionally divided by log k.

    Parameters
    ----------
    weights : tensor, shape (..., n_k)
        Rows of attention weights.
    normalized : bool
        Divide by log n_k (the entropy of the uniform row), so the result lies in [0, 1]:
        0 for a one-hot row (particle), 1 for the uniform row (wave). Needs n_k ≥ 2.

    Examples
    --------
    >>> import torch
    >>> attention_entropy(torch.tensor([[1.0, 0.0, 0.0], [1/3, 1/3, 1/3]]))
    tensor([0., 1.])
    """
    w = _t(weights)
    plogp = torch.where(w > 0, w * torch.log(torch.where(w > 0, w, torch.ones_like(w))), torch.zeros_like(w))
    H = -plogp.sum(-1) + 0.0                               # + 0.0 turns −0 into 0
    if normalized:
        n = w.shape[-1]
        if n < 2:
            raise ValueError("normalised entropy needs at least two keys")
        H = H / math.log(n)
    return H


def regime(h_norm):
    """Read normalised entropies as ``"particle"`` (< 0.33), ``"wave"`` (> 0.66) or ``"mixed"``.

    The thresholds are those of the authors' attention-entropy demo. Returns a str for a scalar,
    else a NumPy array of str.

    >>> regime(0.1), regime(0.5), regime(0.9)
    ('particle', 'mixed', 'wave')
    """
    h = np.asarray(h_norm.detach().cpu() if isinstance(h_norm, torch.Tensor) else h_norm, dtype=float)
    out = np.where(h < PARTICLE_MAX, "particle", np.where(h > WAVE_MIN, "wave", "mixed"))
    return str(out) if out.ndim == 0 else out


def hopfield_energy(xi, X, eps) -> torch.Tensor:
    r"""Modern-Hopfield energy E(ξ) = −ε LSE over j of (xⱼ·ξ/ε) + ½|ξ|² (β = 1/ε).

    ``X`` holds the stored patterns as rows, shape (M, d); ξ has shape (..., d). In HJ terms
    E(ξ) = u(ξ, t = ½) with atoms yⱼ = xⱼ and data gⱼ = −½|xⱼ|² (f + u = |ξ|²/(4t) with t = ½).

    >>> import torch
    >>> X = torch.eye(2, dtype=torch.float64)
    >>> float(hopfield_energy(torch.zeros(2, dtype=torch.float64), X, 1.0))   # −log 2
    -0.6931471805599453
    """
    eps = _check_positive("eps", eps)
    xi, X = _t(xi), _t(X).to(_t(xi).dtype)
    z = xi @ X.T / eps
    return -eps * torch.logsumexp(z, dim=-1) + 0.5 * (xi * xi).sum(-1)


def hopfield_step(xi, X, eps) -> torch.Tensor:
    r"""One modern-Hopfield update ξ ↦ Xᵀ softmax(Xξ/ε): attention of query ξ over keys = values = X.

    It is the CCCP step for :func:`hopfield_energy` (convex part ½|ξ|², concave part −ε LSE),
    so E never increases: E(ξ_new) ≤ E(ξ) − ½|ξ_new − ξ|².
    """
    eps = _check_positive("eps", eps)
    xi, X = _t(xi), _t(X).to(_t(xi).dtype)
    return torch.softmax(xi @ X.T / eps, dim=-1) @ X


# ----------------------------------------------------------------------------------------------
# modules
class GibbsAttention(nn.Module):
    r"""Multi-head self-attention with an explicit temperature ε and an optional per-key bias.

    For head h: πᵢⱼ = softmax_j((qᵢ·kⱼ + aⱼ)/ε), output Σⱼ πᵢⱼ vⱼ, heads concatenated and
    projected. ε defaults to √d_head (standard scaled dot-product attention).

    Parameters
    ----------
    d_model, n_heads : int
        Model width and number of heads (d_model divisible by n_heads).
    eps : float, optional
        Temperature; default √(d_model / n_heads).
    causal : bool
        Query i attends to keys j ≤ i only.

    Forward: x (B, n, d_model), key_bias optional, shape (n,) or (B, n) → (B, n, d_model).
    The weights of the last call are kept in ``last_weights`` (B, n_heads, n, n), detached.
    """

    def __init__(self, d_model: int, n_heads: int = 1, *, eps: float | None = None, causal: bool = False,
                 device=None, dtype=None):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model = {d_model} is not divisible by n_heads = {n_heads}")
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.eps = _check_positive("eps", eps if eps is not None else math.sqrt(self.d_head))
        self.causal = causal
        kw = dict(device=device, dtype=dtype)
        self.q_proj = nn.Linear(d_model, d_model, bias=False, **kw)
        self.k_proj = nn.Linear(d_model, d_model, bias=False, **kw)
        self.v_proj = nn.Linear(d_model, d_model, bias=False, **kw)
        self.out_proj = nn.Linear(d_model, d_model, **kw)
        self.last_weights: torch.Tensor | None = None

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, n_heads={self.n_heads}, eps={self.eps:g}, causal={self.causal}"

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor | None = None) -> torch.Tensor:
        B, n, _ = x.shape
        split = lambda z: z.view(B, n, self.n_heads, self.d_head).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        bias = None
        if key_bias is not None:
            key_bias = torch.as_tensor(key_bias, dtype=x.dtype, device=x.device)
            bias = key_bias.reshape(-1, 1, n) if key_bias.ndim == 2 else key_bias  # (B,1,n) → heads
        mask = None
        if self.causal:
            mask = torch.ones(n, n, dtype=torch.bool, device=x.device).tril()
        out, w = gibbs_attention(q, k, v, self.eps, bias=bias, mask=mask)
        self.last_weights = w.detach()
        return self.out_proj(out.transpose(1, 2).reshape(B, n, self.d_model))


class L2Attention(nn.Module):
    r"""Distance attention over a fixed set of keys: Hopf–Cole weights with per-key bias g.

    πⱼ(x) = softmax_j(−(gⱼ + |x − yⱼ|²/(4t))/ε), output Σⱼ πⱼ vⱼ. Keys yⱼ, biases gⱼ and values
    vⱼ are parameters (the atoms and initial data of a discrete Hopf–Cole solution, plus what is
    averaged). Forward: x (..., d) → (..., d_v).
    """

    def __init__(self, keys, values, g=None, *, t: float = 1.0, eps: float = 1.0):
        super().__init__()
        keys = _t(keys)
        self.keys = nn.Parameter(keys.clone())
        self.values = nn.Parameter(_t(values).to(keys.dtype).clone())
        g = torch.zeros(keys.shape[0], dtype=keys.dtype) if g is None else _t(g).to(keys.dtype)
        self.g = nn.Parameter(g.clone())
        self.t, self.eps = _check_positive("t", t), _check_positive("eps", eps)

    def weights(self, x):
        return l2_attention_weights(_t(x).unsqueeze(-2), self.keys, self.g, self.t, self.eps).squeeze(-2)

    def forward(self, x):
        return self.weights(x) @ self.values


class LSEFFN(nn.Module):
    r"""Feed-forward block of LSE layers: output channel c is fᶜ(x) = ε log Σⱼ exp((Wᶜⱼ·x + bᶜⱼ)/ε).

    Each channel is an LSE layer, hence (read at time t) a discrete Hopf–Cole solution with
    data yᶜⱼ = 2tWᶜⱼ, gᶜⱼ = −bᶜⱼ − t|Wᶜⱼ|², and fᶜ(x) + uᶜ(x, t) = |x|²/(4t) for every x — in a
    transformer, x is the output of LayerNorm.

    Parameters
    ----------
    in_features, width, out_features : int
        Input dimension d, neurons per channel N, number of channels C.
    eps : float > 0
        Temperature ε. ``t`` is the default time of :meth:`initial_data`.

    Attributes: ``weight`` (C, N, d), ``bias`` (C, N). Forward: (..., d) → (..., C).
    """

    def __init__(self, in_features: int, width: int, out_features: int = 1, *, eps: float, t: float = 1.0,
                 device=None, dtype=None):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.weight = nn.Parameter(torch.randn(out_features, width, in_features, **kw) / math.sqrt(in_features))
        self.bias = nn.Parameter(torch.zeros(out_features, width, **kw))
        self.eps, self.t = _check_positive("eps", eps), _check_positive("t", t)

    def extra_repr(self) -> str:
        C, N, d = self.weight.shape
        return f"in_features={d}, width={N}, out_features={C}, eps={self.eps:g}"

    def logits(self, x):
        return torch.einsum("...d,cnd->...cn", x, self.weight) + self.bias

    def forward(self, x):
        return self.eps * torch.logsumexp(self.logits(x) / self.eps, dim=-1)

    def gibbs_weights(self, x):
        """πᶜⱼ(x) = softmax_j((Wᶜⱼ·x + bᶜⱼ)/ε), shape (..., C, N)."""
        return torch.softmax(self.logits(x) / self.eps, dim=-1)

    def initial_data(self, t: float | None = None):
        """(y, g) = (2tW, −b − t|W|²), detached, shapes (C, N, d) and (C, N)."""
        t = self.t if t is None else _check_positive("t", t)
        W, b = self.weight.detach(), self.bias.detach()
        return 2 * t * W, -b - t * (W * W).sum(-1)


class TinyTransformer(nn.Module):
    r"""A small pre-norm transformer encoder for toy sequence tasks.

    Tokens → embedding + learned positions → ``n_layers`` blocks
    ``z ← z + Attn(LN(z)); z ← z + FFN(LN(z))`` → LN → linear read-out (logits per position).
    Attention is :class:`GibbsAttention` (temperature ε = √d_head unless ``eps_attn`` is given);
    the FFN is :class:`LSEFFN` (``ffn="lse"``), a GELU MLP (``ffn="gelu"``) or absent (``None``).

    Forward: tokens (B, n) long → logits (B, n, n_out) (``n_out`` defaults to ``vocab``). :meth:`attention_maps` returns the
    weights of the last forward pass, one (B, n_heads, n, n) tensor per layer.
    """

    def __init__(self, vocab: int, n_pos: int, *, d_model: int = 32, n_heads: int = 2, n_layers: int = 1,
                 ffn: str | None = "lse", ffn_width: int = 16, eps_ffn: float = 1.0, eps_attn: float | None = None,
                 causal: bool = False, n_out: int | None = None):
        super().__init__()
        if ffn not in ("lse", "gelu", None):
            raise ValueError(f"ffn must be 'lse', 'gelu' or None, got {ffn!r}")
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(0.5 * torch.randn(n_pos, d_model))
        self.attn = nn.ModuleList(GibbsAttention(d_model, n_heads, eps=eps_attn, causal=causal)
                                  for _ in range(n_layers))
        self.norm1 = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(n_layers))
        self.norm2 = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(n_layers))
        if ffn == "lse":
            self.ffn = nn.ModuleList(LSEFFN(d_model, ffn_width, d_model, eps=eps_ffn) for _ in range(n_layers))
        elif ffn == "gelu":
            self.ffn = nn.ModuleList(nn.Sequential(nn.Linear(d_model, ffn_width), nn.GELU(),
                                                   nn.Linear(ffn_width, d_model)) for _ in range(n_layers))
        else:
            self.ffn = None
        self.norm_out = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab if n_out is None else n_out)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        z = self.tok(tokens) + self.pos[: tokens.shape[-1]]
        for i, attn in enumerate(self.attn):
            z = z + attn(self.norm1[i](z))
            if self.ffn is not None:
                z = z + self.ffn[i](self.norm2[i](z))
        return self.head(self.norm_out(z))

    def attention_maps(self) -> list[torch.Tensor]:
        return [a.last_weights for a in self.attn]


# ----------------------------------------------------------------------------------------------
# a toy task
def reverse_batch(gen: torch.Generator, batch: int, length: int, vocab: int):
    """Random token sequences and their reversals: (tokens, targets), both (batch, length) long."""
    x = torch.randint(0, vocab, (batch, length), generator=gen)
    return x, x.flip(-1)


def train_sequence_model(model: nn.Module, batch_fn: Callable[[], tuple], *, steps: int, lr: float = 3e-3):
    """Adam on the per-position cross-entropy; returns the list of training losses."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(steps):
        x, y = batch_fn()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses
