"""Temperature-ε log-sum-exp (the Maslov-deformed max) and its soft minimum."""
from __future__ import annotations

import torch

from ._checks import as_tensor, backend_of, check_eps

__all__ = ["lse", "softmin"]


def lse(z, eps, dim: int = -1, weights=None):
    r"""Log-sum-exp at temperature ε, the Maslov-deformed maximum.

    .. math::

        \mathrm{LSE}_\varepsilon(z) = \varepsilon \log \sum_j w_j \, e^{z_j/\varepsilon},
        \qquad \max_{j: w_j>0} z_j \le \mathrm{LSE}_\varepsilon(z) - \varepsilon\log\textstyle\sum_j w_j
        \ \text{(unit weights: } 0 \le \mathrm{LSE}_\varepsilon - \max \le \varepsilon \log N).

    ``eps = 0`` gives the exact maximum over the entries with positive weight (the tropical
    limit); it is also the ε → 0 limit of the formula.

    Parameters
    ----------
    z : array_like or torch.Tensor, shape (..., N, ...)
        Logits. ``-inf`` entries are allowed and contribute nothing; a ``+inf`` entry makes the
        result ``+inf``. NaN raises ``ValueError``.
    eps : float
        Temperature ε ≥ 0.
    dim : int
        Axis reduced over.
    weights : array_like or torch.Tensor, optional
        Non-negative weights ``w``, broadcastable to ``z``. A zero weight excludes its term
        exactly (even when the paired logit is ``+inf``).

    Returns
    -------
    ndarray or Tensor of ``z``'s shape without ``dim``. numpy in → numpy out, torch in → torch
    out (dtype and device kept; integer input is promoted to float64). Differentiable in ``z``
    and ``weights``.

    Notes
    -----
    Computed as ``m + ε·logsumexp((z − m)/ε + log w)`` with ``m`` the (detached) maximum over
    positive weights, so any magnitude (1e±300), any ε (tiny or huge) and ``±inf`` entries are
    handled without overflow. An empty reduction returns ``-inf`` (an empty sum is 0), as
    ``scipy.special.logsumexp`` and ``torch.logsumexp`` do.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import lse
    >>> float(lse(np.array([0.0, 0.0]), 1.0))  # log 2
    0.6931471805599453
    >>> float(lse(np.array([1.0, 3.0]), 0.0))  # tropical limit: max
    3.0
    """
    eps = check_eps(eps)
    be = backend_of(z, weights)
    zt = as_tensor(z, "z", be)
    wt = None
    if weights is not None:
        wt = as_tensor(weights, "weights", be)
        if not torch.isfinite(wt).all() or (wt < 0).any():
            raise ValueError("weights must be finite and >= 0")
        try:
            zt, wt = torch.broadcast_tensors(zt, wt)
        except RuntimeError:
            raise ValueError(
                f"weights must be broadcastable to z.shape == {tuple(zt.shape)}, "
                f"got {tuple(wt.shape)}") from None
    if zt.ndim == 0:
        raise ValueError("z must have at least one dimension to reduce over, got a scalar")
    return be.out(_lse_torch(zt, eps, dim, wt))


def softmin(z, eps, dim: int = -1, weights=None):
    r"""Soft minimum at temperature ε: ``softmin(z) = −LSE_ε(−z) = −ε log Σⱼ wⱼ e^{−zⱼ/ε}``.

    ``eps = 0`` gives the exact minimum over positive weights. Same shapes, dtype rules and
    special values as :func:`lse` (with the signs flipped: an empty reduction gives ``+inf``).
    The discrete Hopf–Cole solution is ``softmin`` of the Hopf–Lax costs
    ``gⱼ + |x − yⱼ|²/(4t)``.

    Examples
    --------
    >>> import numpy as np
    >>> from hjlib import softmin
    >>> float(softmin(np.array([1.0, 3.0]), 0.0))
    1.0
    """
    eps = check_eps(eps)
    be = backend_of(z, weights)
    zt = as_tensor(z, "z", be)
    return be.out(-lse(-zt, eps, dim=dim, weights=weights if weights is None else
                       as_tensor(weights, "weights", be)))


def _lse_torch(z: torch.Tensor, eps: float, dim: int, w: torch.Tensor | None) -> torch.Tensor:
    """Core of :func:`lse` on validated tensors (``w`` already broadcast to ``z``)."""
    if z.shape[dim] == 0:
        shape = list(z.shape)
        del shape[dim]
        return torch.full(shape, float("-inf"), dtype=z.dtype, device=z.device)
    if w is not None:
        pos = w > 0
        z = torch.where(pos, z, torch.full((), float("-inf"), dtype=z.dtype, device=z.device))
    if eps == 0.0:
        return z.amax(dim)
    m = z.detach().amax(dim, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros((), dtype=z.dtype, device=z.device))
    a = (z - m) / eps
    if w is not None:
        one = torch.ones((), dtype=w.dtype, device=w.device)
        a = torch.where(pos, a + torch.log(torch.where(pos, w, one)),
                        torch.full((), float("-inf"), dtype=z.dtype, device=z.device))
    return (m + eps * torch.logsumexp(a, dim, keepdim=True)).squeeze(dim)
