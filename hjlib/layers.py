"""The LSE layer as a torch module, readable as Hopf–Cole initial data."""
from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_eps
from .hopf import initial_data as _initial_data, lse_params as _lse_params
from .logsumexp import _lse_torch

__all__ = ["LSELayer"]


class LSELayer(nn.Module):
    r"""Log-sum-exp layer f(x) = ε log Σⱼ exp((Wⱼ·x + bⱼ)/ε) (ε = 0: maxⱼ(Wⱼ·x + bⱼ)).

    Read at time t, its parameters are Hopf–Cole initial data (Theorem 4.1):
    yⱼ = 2tWⱼ, gⱼ = −bⱼ − t|Wⱼ|², and f(x) + u^N_ε(x, t) = |x|²/(4t) with u^N_ε the discrete
    Hopf–Cole solution of ∂ₜu + |∇u|² = εΔu (:func:`hjlib.hopf_cole`).

    Parameters
    ----------
    in_features : int
        Input dimension d.
    width : int
        Number of neurons (atoms) N.
    eps : float ≥ 0
        Temperature / viscosity ε (a plain attribute, validated on assignment).
    t : float > 0
        Default time at which :meth:`initial_data` / :meth:`set_initial_data` read the weights.
    device, dtype : optional
        As for torch.nn.Linear.

    Attributes
    ----------
    weight : Parameter, shape (width, in_features)
    bias : Parameter, shape (width,)

    Shapes: input (..., in_features) → output (...).

    Examples
    --------
    >>> import torch
    >>> from hjlib import LSELayer, hopf_cole
    >>> layer = LSELayer(2, 8, eps=0.1, dtype=torch.float64)
    >>> y, g = layer.initial_data(t=1.0)
    >>> x = torch.randn(5, 2, dtype=torch.float64)
    >>> torch.allclose(layer(x) + hopf_cole(x, y, g, 1.0, 0.1), (x**2).sum(1) / 4)
    True
    """

    def __init__(self, in_features: int, width: int, eps: float, *, t: float = 1.0,
                 device=None, dtype=None):
        super().__init__()
        for name, v in (("in_features", in_features), ("width", width)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        self.in_features, self.width = in_features, width
        self.eps = eps
        self.t = _check_t_float(t)
        kw = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.empty(width, in_features, **kw))
        self.bias = nn.Parameter(torch.empty(width, **kw))
        self.reset_parameters()

    @property
    def eps(self) -> float:
        return self._eps

    @eps.setter
    def eps(self, value) -> None:
        self._eps = check_eps(value)

    def reset_parameters(self) -> None:
        """nn.Linear's default initialisation (uniform in ±1/√in_features)."""
        bound = 1.0 / math.sqrt(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            self.bias.uniform_(-bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor of shape (..., {self.in_features}), "
                            f"got {type(x).__name__}")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"x must have shape (..., in_features) with in_features == "
                             f"{self.in_features}, got {tuple(x.shape)}")
        z = torch.nn.functional.linear(x, self.weight, self.bias)
        return _lse_torch(z, self._eps, -1, None)

    def gibbs_weights(self, x: torch.Tensor) -> torch.Tensor:
        """Attribution weights πⱼ(x) = softmax((Wⱼ·x + bⱼ)/ε), shape (..., width) (= ∇_b f)."""
        z = torch.nn.functional.linear(x, self.weight, self.bias)
        if self._eps == 0:
            hit = (z == z.amax(-1, keepdim=True)).to(z.dtype)
            return hit / hit.sum(-1, keepdim=True)
        return torch.softmax(z / self._eps, -1)

    def initial_data(self, t: float | None = None):
        """Return (y, g) = (2tW, −b − t|W|²), detached, shapes (width, in_features), (width,)."""
        t = self.t if t is None else _check_t_float(t)
        return _initial_data(self.weight.detach(), self.bias.detach(), t)

    @torch.no_grad()
    def set_initial_data(self, y, g, t: float | None = None) -> "LSELayer":
        """Set W = y/(2t), b = −g − |y|²/(4t) in place. y (width, in_features), g (width,)."""
        t = self.t if t is None else _check_t_float(t)
        y = torch.as_tensor(y, dtype=self.weight.dtype, device=self.weight.device)
        g = torch.as_tensor(g, dtype=self.bias.dtype, device=self.bias.device)
        if y.shape != self.weight.shape:
            raise ValueError(f"y must have shape (width, in_features) == {tuple(self.weight.shape)}, "
                             f"got {tuple(y.shape)}")
        if g.shape != self.bias.shape:
            raise ValueError(f"g must have shape (width,) == {tuple(self.bias.shape)}, got {tuple(g.shape)}")
        W, b = _lse_params(y, g, t)
        self.weight.copy_(W)
        self.bias.copy_(b)
        return self

    @classmethod
    def from_initial_data(cls, y, g, eps: float, *, t: float = 1.0) -> "LSELayer":
        """A layer whose weights encode the Hopf–Cole data (y, g) at time t (dtype/device of y)."""
        y = torch.as_tensor(y)
        if not y.is_floating_point():
            y = y.to(torch.float64)
        if y.ndim == 1:
            y = y[:, None]
        layer = cls(y.shape[1], y.shape[0], eps, t=t, device=y.device, dtype=y.dtype)
        return layer.set_initial_data(y, g, t)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, width={self.width}, eps={self._eps}, t={self.t}"


def _check_t_float(t) -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t <= 0:
        raise ValueError(f"t must be a finite number > 0, got {t!r}")
    return float(t)
