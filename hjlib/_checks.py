"""Input validation and numpy/torch dispatch shared by the hjlib numerics.

Rules (documented once here, applied by every public function):

* numpy in -> numpy out, torch in -> torch out. If any array argument is a ``torch.Tensor`` the
  result is a tensor on that tensor's device; otherwise it is a ``numpy.ndarray``.
* The working dtype is the promotion of the floating dtypes of the array arguments (numpy arrays
  and tensors); float32 stays float32. Integer/bool arrays, Python lists and scalars do not take
  part in the promotion and are converted to the working dtype; if no argument is a floating
  array the working dtype is float64 (so integer input is promoted to float64).
* Bad input raises ``TypeError`` (wrong kind of object, complex dtype) or ``ValueError`` (wrong
  value or shape) with a message that names the argument and the expected form.
"""
from __future__ import annotations

import math
from numbers import Real

import numpy as np
import torch

__all__: list[str] = []  # private module


def _is_array(a) -> bool:
    return isinstance(a, (np.ndarray, torch.Tensor))


def _float_dtype_of(a):
    """The torch floating dtype of an array argument, or None if it does not take part."""
    if isinstance(a, torch.Tensor):
        if a.is_complex():
            raise TypeError("complex tensors are not supported")
        return a.dtype if a.is_floating_point() else None
    if isinstance(a, np.ndarray):
        if np.iscomplexobj(a):
            raise TypeError("complex arrays are not supported")
        if a.dtype in (np.float16, np.float32, np.float64):
            return {np.float16: torch.float16, np.float32: torch.float32,
                    np.float64: torch.float64}[a.dtype.type]
        if a.dtype.kind == "f":  # longdouble etc.: compute in float64
            return torch.float64
        return None
    return None


class Backend:
    """Where the result goes: numpy or torch, which dtype, which device."""

    __slots__ = ("numpy", "dtype", "device")

    def __init__(self, numpy: bool, dtype: torch.dtype, device: torch.device):
        self.numpy = numpy
        self.dtype = dtype
        self.device = device

    def out(self, value):
        """Convert a torch result back to the caller's array type."""
        if isinstance(value, tuple):
            return tuple(self.out(v) for v in value)
        if self.numpy and isinstance(value, torch.Tensor):
            arr = value.detach().cpu().numpy()
            return arr
        return value


def backend_of(*arrays) -> Backend:
    """Decide output kind, working dtype and device from the array arguments."""
    dtype = None
    device = None
    is_torch = False
    for a in arrays:
        if a is None:
            continue
        if isinstance(a, torch.Tensor):
            if not is_torch:
                device = a.device
            is_torch = True
        dt = _float_dtype_of(a)
        if dt is not None:
            dtype = dt if dtype is None else torch.promote_types(dtype, dt)
    if dtype is None or dtype in (torch.float16, torch.bfloat16):
        dtype = torch.float64 if dtype is None else torch.float32
    return Backend(not is_torch, dtype, device if device is not None else torch.device("cpu"))


def as_tensor(a, name: str, be: Backend, *, allow_nan: bool = False) -> torch.Tensor:
    """Convert ``a`` to a tensor of the working dtype/device; reject NaN unless allowed."""
    if isinstance(a, torch.Tensor):
        if a.is_complex():
            raise TypeError(f"{name} must be real, got a complex tensor")
        t = a.to(dtype=be.dtype, device=be.device)
    else:
        try:
            arr = np.asarray(a)
        except Exception as exc:  # pragma: no cover - exotic objects
            raise TypeError(f"{name} must be an array-like of real numbers, got {type(a).__name__}") from exc
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be an array-like of real numbers, got dtype {arr.dtype}")
        np_dtype = {torch.float32: np.float32, torch.float64: np.float64}[be.dtype]
        arr = np.asarray(arr, dtype=np_dtype)
        if not arr.flags.c_contiguous or not arr.flags.writeable:
            arr = arr.copy()
        t = torch.from_numpy(arr).to(be.device)
    if not allow_nan and torch.isnan(t).any():
        raise ValueError(f"{name} must not contain NaN")
    return t


def check_finite(t: torch.Tensor, name: str, *, allow_pos_inf: bool = False) -> None:
    if allow_pos_inf:
        bad = torch.isneginf(t).any()
        if bad:
            raise ValueError(f"{name} must not contain -inf (entries may be finite or +inf)")
    else:
        if not torch.isfinite(t).all():
            raise ValueError(f"{name} must be finite (no inf or NaN)")


def check_eps(eps) -> float:
    """eps must be a finite real number >= 0. Returns it as a Python float."""
    if isinstance(eps, torch.Tensor) or isinstance(eps, np.ndarray):
        if eps.ndim != 0:
            raise TypeError(f"eps must be a finite number >= 0, got an array of shape {tuple(eps.shape)}")
        eps = eps.item()
    if isinstance(eps, bool) or not isinstance(eps, Real):
        raise TypeError(f"eps must be a finite number >= 0, got {type(eps).__name__}")
    eps = float(eps)
    if not math.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
    return eps


def check_t(t, be: Backend, batch_shape: tuple[int, ...] | None = None):
    """t must be a finite number > 0, or a tensor/array of such numbers broadcastable to the
    batch shape. Returns a Python float or a tensor (kept differentiable)."""
    if isinstance(t, (torch.Tensor, np.ndarray)):
        tt = as_tensor(t, "t", be)
        if not torch.isfinite(tt).all() or not (tt > 0).all():
            raise ValueError("t must be finite and > 0 everywhere")
        if batch_shape is not None:
            try:
                ok = torch.broadcast_shapes(tuple(tt.shape), batch_shape) == torch.Size(batch_shape)
            except RuntimeError:
                ok = False
            if not ok:
                raise ValueError(
                    f"t must be a number or broadcastable to the batch shape {batch_shape}, "
                    f"got shape {tuple(tt.shape)}")
        if tt.ndim == 0 and not tt.requires_grad:
            return float(tt.item())
        return tt
    if isinstance(t, bool) or not isinstance(t, Real):
        raise TypeError(f"t must be a finite number > 0 (or a tensor of them), got {type(t).__name__}")
    t = float(t)
    if not math.isfinite(t) or t <= 0:
        raise ValueError(f"t must be a finite number > 0, got {t!r}")
    return t


def points_and_data(x, y, g, be: Backend, *, allow_inf_g: bool = True):
    """Validate x (..., d) or (...) [1-D], y (M, d) or (M,), g (M,).

    Returns (x2, y2, g, batch_shape, d) with x2 of shape (n, d) (n = prod(batch_shape)) and y2 of
    shape (M, d).
    """
    xt = as_tensor(x, "x", be)
    yt = as_tensor(y, "y", be)
    gt = as_tensor(g, "g", be)
    if yt.ndim == 1:
        d = 1
        batch = tuple(xt.shape)
        x2 = xt.reshape(-1, 1)
        y2 = yt.reshape(-1, 1)
    elif yt.ndim == 2:
        d = yt.shape[1]
        if xt.ndim == 0 or xt.shape[-1] != d:
            raise ValueError(
                f"x must have shape (..., d) with d == y.shape[1] == {d}, got {tuple(xt.shape)}")
        batch = tuple(xt.shape[:-1])
        x2 = xt.reshape(-1, d)
        y2 = yt
    else:
        raise ValueError(f"y must have shape (M, d) or (M,), got {tuple(yt.shape)}")
    M = y2.shape[0]
    if M == 0:
        raise ValueError("y must contain at least one point (M >= 1), got M = 0")
    if gt.shape != (M,):
        raise ValueError(f"g must have shape (M,) with M == y.shape[0] == {M}, got {tuple(gt.shape)}")
    check_finite(x2, "x")
    check_finite(y2, "y")
    check_finite(gt, "g", allow_pos_inf=allow_inf_g)
    return x2, y2, gt, batch, d


def check_weights(weights, M: int, be: Backend):
    if weights is None:
        return None
    w = as_tensor(weights, "weights", be)
    if w.shape != (M,):
        raise ValueError(f"weights must have shape (M,) with M == {M}, got {tuple(w.shape)}")
    if not torch.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite and >= 0")
    return w
