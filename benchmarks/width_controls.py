"""Two follow-ups to Experiment B that the book's width chapter reads: a temperature control and the
sample-size (minimax-rate) experiment.

1. Control (``eps_control``): Experiment B's full setting (4000 training points, 3000 Adam steps,
   lr 0.006, the authors' data and seeds) at a *fixed* width N, with ε swept over the values that
   ε = N^{-1/d} takes on the other widths. If the error follows ε at fixed N, Experiment B's
   exponent measures the temperature schedule rather than the width.
   d = 1, N = 100, ε ∈ {0.1, 0.04, 0.02, 0.01, 0.005}; d = 2, N = 200, ε ∈ {N'^{-1/2}: N' = 20, 50, 100, 200, 500}.
2. Sample size (``minimax``): L² error of a validation-tuned LSE layer for the target ‖x‖₂ with
   Gaussian noise σ = 0.1, n from 2^7 to 2^12 (d = 1) and 2^8 to 2^13 (d = 2), widths
   {4, 8, 16, 32}, ε ∈ {0.01, 0.03, 0.1, 0.3}, 400 Adam steps, 5 replicates
   (:func:`hjlib.scaling.sample_size_errors`); fitted slope of log error on log n with its
   standard error, against the minimax exponent −1/(d+2).

Run:  python benchmarks/width_controls.py        (≈ 3 CPU-minutes; 151 s of wall time with three
                                                   worker processes on 2 cores)
Writes benchmarks/results/width_controls.json and .md.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONTROL = {1: (100, [0.1, 0.04, 0.02, 0.01, 0.005]),
           2: (200, [20 ** -0.5, 50 ** -0.5, 100 ** -0.5, 200 ** -0.5, 500 ** -0.5])}
MINIMAX = {1: [2 ** k for k in range(7, 13)], 2: [2 ** k for k in range(8, 14)]}


def _init():
    import torch

    torch.set_num_threads(1)


def _task(job):
    from hjlib import scaling as sc

    kind, d = job
    t0 = time.process_time()
    if kind == "control":
        N, eps = CONTROL[d]
        res = sc.experiment_b_eps_sweep(d, N, eps)
        out = {"N": N, "eps": list(res), "rmse": [r.tolist() for r in res.values()]}
    else:
        ns = MINIMAX[d]
        res = sc.sample_size_errors(d, ns, widths=[4, 8, 16, 32], eps_grid=[0.01, 0.03, 0.1, 0.3],
                                    reps=5, steps=400, lr=0.03, seed=10 + d)
        slope, se = sc.slope_with_se(np.log(np.tile(ns, 5)), np.log(res["err"].ravel()))
        out = {"n": ns, "err": res["err"].tolist(), "choice": res["choice"].tolist(), "slope": slope, "se": se}
    out["cpu_seconds"] = time.process_time() - t0
    return kind, d, out


def main():
    load0 = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    t0 = time.perf_counter()
    jobs = [("control", 2), ("minimax", 2), ("control", 1), ("minimax", 1)]
    results = {}
    with mp.get_context("fork").Pool(3, initializer=_init) as pool:
        for kind, d, out in pool.imap_unordered(_task, jobs):
            results[f"{kind}_d{d}"] = out
            print(kind, d, f"{out['cpu_seconds']:.0f} CPU s", flush=True)
    wall = time.perf_counter() - t0
    results["meta"] = {"wall_seconds": wall, "load_before": load0,
                       "load_after": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}
    out = ROOT / "benchmarks" / "results"
    (out / "width_controls.json").write_text(json.dumps(results, indent=1))
    lines = ["# Width-chapter controls (`python benchmarks/width_controls.py`)", "",
             f"Wall time {wall:.0f} s (3 worker processes, shared machine). Load before: `{load0}`.", "",
             "## Experiment B at fixed width, ε swept (best test RMSE over 5 seeds)", "",
             "| d | N | ε | best test RMSE | best RMSE / ε |", "|---|---|---|---|---|"]
    for d in (1, 2):
        c = results[f"control_d{d}"]
        for e, r in zip(c["eps"], c["rmse"]):
            lines.append(f"| {d} | {c['N']} | {e:.4f} | {min(r):.5f} | {min(r) / e:.3f} |")
    lines += ["", "## Sample size: L² error of a validation-tuned LSE layer, target ‖x‖₂ + N(0, 0.1²)", "",
              "| d | n | mean error over 5 replicates |", "|---|---|---|"]
    for d in (1, 2):
        m = results[f"minimax_d{d}"]
        for n, e in zip(m["n"], np.mean(m["err"], axis=0)):
            lines.append(f"| {d} | {n} | {e:.5f} |")
    for d in (1, 2):
        m = results[f"minimax_d{d}"]
        lines.append(f"\nd = {d}: fitted slope {m['slope']:.3f} ± {m['se']:.3f} (minimax {-1 / (d + 2):.3f})")
    (out / "width_controls.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
