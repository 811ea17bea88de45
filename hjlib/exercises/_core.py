"""The exercise-check machinery: registry, comparison with specific messages, error type.

See the package docstring (:mod:`hjlib.exercises`) for how chapters use it.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = ["check", "register", "available", "ExerciseError", "compare"]


class ExerciseError(AssertionError):
    """A learner's answer is wrong; the message explains how."""


_CHECKS: dict[str, Callable] = {}


def register(name: str):
    """Decorator: register ``fn(answer)`` as the check for exercise ``name``."""

    def deco(fn):
        if name in _CHECKS:
            raise ValueError(f"an exercise check named {name!r} is already registered")
        _CHECKS[name] = fn
        return fn

    return deco


def available() -> list[str]:
    """Names of all registered exercise checks."""
    return sorted(_CHECKS)


def check(name: str, answer) -> bool:
    """Check a learner's ``answer`` to exercise ``name``; print ✓ or raise :class:`ExerciseError`."""
    if name not in _CHECKS:
        raise KeyError(f"no exercise check named {name!r}; known: {', '.join(available())}")
    _CHECKS[name](answer)
    print(f"✓ {name}: correct.")
    return True


def _as_array(value, what: str) -> np.ndarray:
    try:
        import torch

        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseError(f"{what} should be a number or an array of numbers, got {value!r}") from None


def compare(got, expected, *, what: str, rtol: float = 1e-8, atol: float = 1e-10, hint: str = "") -> None:
    """Raise :class:`ExerciseError` with a specific message unless ``got`` ≈ ``expected``."""
    g = _as_array(got, what)
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        raise ExerciseError(f"{what} has shape {g.shape}, expected {e.shape}. {hint}".strip())
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        bad = np.flatnonzero(~np.isfinite(g.ravel()))[0]
        raise ExerciseError(
            f"{what} is not finite (entry {bad} is {g.ravel()[bad]}), but a finite value "
            f"{e.ravel()[bad]:.6g} exists. {hint}".strip()
        )
    if not np.allclose(g, e, rtol=rtol, atol=atol):
        err = np.abs(g - e)
        k = int(np.argmax(err.ravel()))
        sign = ""
        if e.size and np.allclose(g, -e, rtol=rtol, atol=atol):
            sign = " It has the wrong sign."
        raise ExerciseError(
            f"{what} is off: entry {k} is {g.ravel()[k]:.10g}, expected {e.ravel()[k]:.10g} "
            f"(error {err.ravel()[k]:.3g}).{sign} {hint}".strip()
        )


def call_answer(fn, *args, what: str):
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as exc:  # a learner's bug: say which input triggered it
        raise ExerciseError(f"{what} raised {type(exc).__name__}: {exc}") from exc


