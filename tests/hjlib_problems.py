"""Registry of problems with exact solutions for the hjlib tests (torchdiffeq-style).

Each problem pairs a discretisation of an initial datum for ``hjlib.hopf_cole(...,
normalized=True, weights=...)`` (atoms, values, quadrature weights) with the closed form from
``hjlib.exact``. Point-supported data are exact for any discretisation; continuous data are
trapezoid-rule quadratures of the Hopf–Cole integral — spectrally accurate for smooth,
Gaussian-decaying integrands, second order across the kink of the two-slope datum.

Tolerances (max abs error over the x points) are stated per dtype and were set at roughly 10×
the errors measured when the registry was written.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hjlib import exact


@dataclass(frozen=True)
class ExactProblem:
    name: str
    x: np.ndarray            # (n, d) or (n,) for 1-D
    y: np.ndarray            # (M, d) or (M,)
    g: np.ndarray            # (M,)
    weights: np.ndarray | None
    t: float
    eps: float
    u: np.ndarray            # exact u(x, t), float64
    tol: dict = field(default_factory=dict)  # {"float64": ..., "float32": ...}

    def __repr__(self) -> str:  # keeps pytest ids short
        return self.name


def _grid1(lo, hi, n):
    y = np.linspace(lo, hi, n)
    w = np.full(n, y[1] - y[0])
    w[0] = w[-1] = w[0] / 2
    return y, w


def _problems() -> list[ExactProblem]:
    rng = np.random.default_rng(0)
    out = []

    # atoms in 2-D: exact for any discretisation
    y = rng.normal(size=(40, 2))
    g = rng.uniform(0, 1, 40)
    x = rng.normal(size=(64, 2)) * 1.5
    out.append(ExactProblem("point_2d", x, y, g, None, 0.7, 0.2,
                            exact.point_supported(x, 0.7, 0.2, y, g),
                            {"float64": 1e-13, "float32": 2e-5}))
    # atoms in 1-D, small eps (near the tropical limit)
    y1 = np.sort(rng.uniform(-2, 2, 25))
    g1 = rng.uniform(-1, 1, 25)
    x1 = np.linspace(-3, 3, 97)
    out.append(ExactProblem("point_1d_eps1e-3", x1, y1, g1, None, 1.0, 1e-3,
                            exact.point_supported(x1, 1.0, 1e-3, y1, g1),
                            {"float64": 1e-13, "float32": 2e-5}))
    # quadratic datum (a/2)|y|^2 in 1-D
    yq, wq = _grid1(-12, 12, 2401)
    xq = np.linspace(-2, 2, 41)
    out.append(ExactProblem("quadratic_1d", xq, yq, 0.5 * 1.0 * yq**2, wq, 0.5, 0.3,
                            exact.quadratic(xq[:, None], 0.5, 0.3, 1.0),
                            {"float64": 1e-13, "float32": 2e-5}))
    # quadratic datum in 2-D (tensor-product trapezoid)
    ya, wa = _grid1(-6, 6, 121)
    Y = np.stack(np.meshgrid(ya, ya, indexing="ij"), -1).reshape(-1, 2)
    W2 = np.outer(wa, wa).reshape(-1)
    x2 = rng.uniform(-1.5, 1.5, size=(50, 2))
    out.append(ExactProblem("quadratic_2d", x2, Y, 0.5 * 2.0 * (Y**2).sum(1), W2, 0.5, 0.5,
                            exact.quadratic(x2, 0.5, 0.5, 2.0),
                            {"float64": 1e-13, "float32": 2e-5}))
    # two-slope datum (rarefaction a < b): kink at 0 on a grid node -> O(h^2) quadrature
    ys, ws = _grid1(-20, 20, 40001)
    xs = np.linspace(-2.5, 2.5, 51)
    out.append(ExactProblem("two_slope_rarefaction", xs, ys, np.where(ys < 0, -1.0 * ys, 1.0 * ys),
                            ws, 0.5, 0.4, exact.two_slope(xs, 0.5, 0.4, -1.0, 1.0),
                            {"float64": 3e-6, "float32": 2e-5}))
    # two-slope datum (shock a > b)
    out.append(ExactProblem("two_slope_shock", xs, ys, np.where(ys < 0, 1.0 * ys, -0.5 * ys),
                            ws, 0.5, 0.4, exact.two_slope(xs, 0.5, 0.4, 1.0, -0.5),
                            {"float64": 3e-7, "float32": 2e-5}))
    # travelling viscous shock (smooth datum)
    yv, wv = _grid1(-25, 25, 10001)
    a, b, eps = 1.5, -0.5, 0.3
    gv = -eps * np.logaddexp(-a * yv / eps, -b * yv / eps)
    xv = np.linspace(-2, 3, 51)
    out.append(ExactProblem("viscous_shock", xv, yv, gv, wv, 0.8, eps,
                            exact.viscous_shock(xv, 0.8, eps, a, b),
                            {"float64": 1e-12, "float32": 2e-5}))
    return out


PROBLEMS = _problems()
