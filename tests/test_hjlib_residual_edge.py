"""pde_residual on functions with piecewise-constant gradients (regression for a crash)."""
import numpy as np
import torch

import hjlib


def test_affine_solution_has_zero_residual():
    # u = 2x − 4t solves u_t + u_x² = εu_xx exactly
    R = hjlib.pde_residual(lambda x, t: 2 * x - 4 * t, np.linspace(-1, 1, 7), 0.5, 0.1)
    np.testing.assert_allclose(R, 0.0, atol=1e-14)


def test_piecewise_affine_and_time_independent_functions():
    # u = min(0, |x| − t): u_t + u_x² = 0 away from the kinks (|x| < t: −1 + 1 = 0; |x| > t: 0)
    x = np.array([-0.9, -0.2, 0.3, 0.8])
    R = hjlib.pde_residual(lambda x, t: torch.minimum(torch.zeros_like(x), x.abs() - t), x, 0.5, 0.0)
    np.testing.assert_allclose(R, 0.0, atol=1e-14)
    # u = 3 x₁ (no t): residual |∇u|² = 9
    R2 = hjlib.pde_residual(lambda x, t: 3 * x[:, 0], np.zeros((3, 2)), 1.0, 0.2)
    np.testing.assert_allclose(R2, 9.0, atol=1e-14)
