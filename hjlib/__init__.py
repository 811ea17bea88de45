"""hjlib: Hopf–Cole / Hopf–Lax / log-sum-exp numerics for the Hamilton–Jacobi deep-learning book.

Convention (the paper's, used everywhere in this package and the book):

    ∂ₜu + |∇u|² = ε Δu,  u(·, 0) = g,    H(p) = |p|²,  L(q) = |q|²/4,

so the Hopf–Lax cost is |x − y|²/(4t) and an LSE layer f(x) = ε log Σⱼ exp((Wⱼ·x + bⱼ)/ε)
with Wⱼ = yⱼ/(2t), bⱼ = −gⱼ − |yⱼ|²/(4t) satisfies f + u = |x|²/(4t).

Book helpers live in submodules that are imported on first use:
``hjlib.book`` (chapter set-up), ``hjlib.viz`` (sliders that work live and in the static book),
``hjlib.exercises`` (checks that give learners specific feedback).
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# --- core numerics (public API) -----------------------------------------------------------
from .logsumexp import lse, softmin
from .hopf import gibbs_weights, hopf_cole, hopf_cole_grad, hopf_lax, initial_data, lse_params
from .layers import LSELayer
from .finite_difference import solve_hj_fd
from .residual import pde_residual

__all__: list[str] = [
    "lse", "softmin",
    "gibbs_weights", "hopf_cole", "hopf_cole_grad", "hopf_lax", "lse_params", "initial_data",
    "LSELayer",
    "solve_hj_fd",
    "pde_residual",
    "exact",
]

# --- submodules loaded lazily: `import hjlib; hjlib.book.setup()` works without importing
# matplotlib/ipywidgets for users who only want the numerics. Any public submodule of the
# package (hjlib/<name>.py or hjlib/<name>/) is reachable as `hjlib.<name>` on first use.
_LAZY_SUBMODULES = {"book", "viz", "exercises", "exact"}


def __getattr__(name: str):
    if not name.startswith("_"):
        import pkgutil

        if name in _LAZY_SUBMODULES or name in {m.name for m in pkgutil.iter_modules(__path__)}:
            module = importlib.import_module(f".{name}", __name__)
            globals()[name] = module
            return module
    raise AttributeError(f"module 'hjlib' has no attribute {name!r}")
