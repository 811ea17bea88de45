"""Chapter set-up for the book: one call at the top of every chapter.

>>> import hjlib
>>> rng = hjlib.book.setup()          # seeds, plot style, figure format

`setup` makes a chapter deterministic (NumPy, Python and torch seeds), gives every figure the
same style and format, and tells the other helpers whether they run live in JupyterLab, in the
book build, or headless under the test suite.
"""
from __future__ import annotations

import os
import random
import warnings

import numpy as np

__all__ = ["setup", "is_headless", "is_interactive", "progress"]

#: environment variable set by the test suite (conftest.py): sliders render one frame only,
#: progress bars stay silent.
HEADLESS_ENV = "HJBOOK_HEADLESS"


def is_headless() -> bool:
    """True under the test suite (nbval), where each interactive figure runs once at its defaults."""
    return os.environ.get(HEADLESS_ENV, "") not in ("", "0")


def is_interactive() -> bool:
    """True in a live front end (JupyterLab / Notebook), False in the book build and in tests.

    Jupyter Server sets ``JPY_SESSION_NAME`` for the kernels it starts; the book build
    (jupyter-cache / nbclient) and nbval start kernels without it.
    """
    return "JPY_SESSION_NAME" in os.environ and not is_headless()


def setup(seed: int = 0, *, figure_format: str = "svg", threads: int | None = 1) -> np.random.Generator:
    """Fix seeds, plot style and figure format for a chapter; return a seeded NumPy Generator.

    Parameters
    ----------
    seed : int
        Seed for ``random``, ``numpy.random`` (legacy and the returned Generator) and torch.
    figure_format : {"svg", "png", "retina"}
        Inline figure format. SVG is crisp and small for line plots.
    threads : int or None
        torch intra-op threads (default 1). The chapters' tensors are small; on a shared 2-core
        machine (parallel tests, other builds) more threads made training steps 10-40x slower.
        ``None`` leaves torch's default.

    Returns
    -------
    numpy.random.Generator
        ``np.random.default_rng(seed)``; use it for all chapter randomness.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if figure_format not in ("svg", "png", "retina"):
        raise ValueError(f"figure_format must be 'svg', 'png' or 'retina', got {figure_format!r}")
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
        if threads is not None:
            torch.set_num_threads(int(threads))
        torch.use_deterministic_algorithms(True, warn_only=True)
    except ImportError:  # pragma: no cover - torch is a dependency, but keep numerics usable
        pass

    if threads is not None:
        try:  # NumPy's BLAS too (threadpoolctl comes with scikit-learn)
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=int(threads))
        except ImportError:  # pragma: no cover
            pass

    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "figure.constrained_layout.use": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": "medium",
            "legend.frameon": False,
            "font.size": 10,
            "svg.hashsalt": "hjbook",  # deterministic SVG ids
            "svg.fonttype": "path",
            "image.cmap": "viridis",
        }
    )
    try:
        from IPython import get_ipython

        ip = get_ipython()
    except ImportError:  # pragma: no cover
        ip = None
    if ip is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from matplotlib_inline.backend_inline import set_matplotlib_formats

            set_matplotlib_formats(figure_format)
    np.set_printoptions(precision=4, suppress=False, linewidth=100)
    return np.random.default_rng(seed)


def progress(iterable=None, **kwargs):
    """A progress bar in JupyterLab (``tqdm.auto``); silent in the book build and in tests.

    Accepts the arguments of ``tqdm`` (``total=``, ``desc=``, ...).
    """
    from tqdm.auto import tqdm

    kwargs.setdefault("disable", not is_interactive())
    kwargs.setdefault("leave", False)
    return tqdm(iterable, **kwargs)
