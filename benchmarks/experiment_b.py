"""Experiment B at full size: the scaling law of Adam-trained LSE layers (authors' scaling.py + scaling_hd.py).

Setup (the authors' released code, transcribed in the project's paper digest §4.7): target ‖x‖₂,
inputs uniform on [−2, 2]^d, 4000 training and 800 test points from ``default_rng(42 + d)``;
one LSE layer with ε = N^{−1/d}; initial W ∼ N(0, (0.5/√d)²), b ∼ N(0, 0.3²) from
``default_rng(seed + 100 d)``, seeds 0–4; full-batch Adam, lr 0.006, 3000 iterations; the best
test RMSE over the five seeds; α̂ = −slope of log RMSE against log N.

Widths: d = 1 {10, 25, 50, 100, 200, 500}; d = 2 {20, 50, 100, 200, 500}; d = 4
{40, 100, 200, 500, 1000} (scaling.py) and {50, 100, 200, 500} (scaling_hd.py). The two d = 4 lists
share N = 100, 200, 500 with identical data, seeds and hyper-parameters, so those runs are done
once and used for both fits.

Run:  python benchmarks/experiment_b.py            (full size: 365 s of wall time on 2 cores at load
                                                    ≈ 3; 378 s of CPU time in all)
      python benchmarks/experiment_b.py --quick    (300 steps, 1000 training points: a smoke test)

Each (d, N) setting trains its five seeds as one batch with :func:`hjlib.scaling.train_lse_adam`
(exactly the update of :func:`hjlib.training.fit_lse`, with analytic gradients, float32 by default);
two worker processes with one thread each share the settings, largest first. A few settings are
also rerun in float64 to measure what float32 changes. Writes ``benchmarks/results/experiment_b.csv``
(one row per setting and seed) and ``benchmarks/results/experiment_b.md`` (the summary the book reads).
"""
from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOAT64_CHECK = [(1, 50), (2, 50), (4, 40)]


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:  # pragma: no cover
        return "load average: " + open("/proc/loadavg").read().strip()


def _init_worker():
    import torch

    torch.set_num_threads(1)


def _run(task):
    d, N, steps, n_train, dtype_name = task
    import torch

    from hjlib.scaling import experiment_b_setting

    t0, c0 = time.perf_counter(), time.process_time()
    res = experiment_b_setting(d, N, steps=steps, n_train=n_train,
                               dtype=getattr(torch, dtype_name))
    res["cpu_seconds"] = time.process_time() - c0
    return d, N, dtype_name, res, time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300 steps and 1000 training points")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = ap.parse_args(argv)

    from hjlib.scaling import EXPERIMENT_B_WIDTHS, log_slope

    steps, n_train = (300, 1000) if args.quick else (3000, 4000)
    settings = sorted({(d, N) for key, Ns in EXPERIMENT_B_WIDTHS.items()
                       for d in [4 if key == "4hd" else key] for N in Ns})
    tasks = [(d, N, steps, n_train, "float32") for d, N in settings]
    tasks += [(d, N, steps, n_train, "float64") for d, N in FLOAT64_CHECK]
    tasks.sort(key=lambda t: -t[1] * (2 if t[4] == "float64" else 1))

    load_before = _uptime()
    t0 = time.perf_counter()
    results = {}
    with mp.get_context("fork").Pool(args.workers, initializer=_init_worker) as pool:
        for d, N, dt, res, sec in pool.imap_unordered(_run, tasks):
            results[(d, N, dt)] = (res, sec)
            print(f"d={d} N={N:5d} {dt}: best test RMSE {res['rmse'].min():.5f}  ({sec:6.1f} s, "
                  f"{time.perf_counter() - t0:6.1f} s elapsed)", flush=True)
    wall = time.perf_counter() - t0
    load_after = _uptime()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_children = ru.ru_utime + ru.ru_stime
    cpu_tasks = sum(res["cpu_seconds"] for res, _ in results.values())
    cpu_main = sum(results[k][0]["cpu_seconds"] for k in results if k[2] == "float32")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "experiment_b_quick" if args.quick else "experiment_b"
    with open(out / f"{stem}.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["d", "N", "eps", "dtype", "seed", "test_rmse", "train_mse", "wall_seconds", "cpu_seconds"])
        for (d, N, dt), (res, sec) in sorted(results.items()):
            for s, (r, tr) in enumerate(zip(res["rmse"], res["train_mse"])):
                w.writerow([d, N, f"{res['eps']:.10g}", dt, s, f"{r:.10g}", f"{tr:.10g}", f"{sec:.2f}",
                            f"{res['cpu_seconds']:.2f}"])

    def best(d, N, dt="float32"):
        return float(results[(d, N, dt)][0]["rmse"].min())

    lines = [f"# Experiment B ({'QUICK smoke test' if args.quick else 'full size'}): Adam-trained LSE scaling law", "",
             f"Command: `python benchmarks/experiment_b.py{' --quick' if args.quick else ''}`  ",
             f"Steps {steps}, training points {n_train}, test points 800, 5 seeds, lr 0.006, float32.  ",
             f"Wall time: {wall:.1f} s with {args.workers} worker processes (1 thread each), on a shared machine.  ",
             f"CPU time of the workers: {cpu_children:.1f} s in total ({cpu_tasks:.1f} s inside the training tasks, "
             f"of which {cpu_main:.1f} s for the float32 experiment itself and the rest for the float64 check); "
             f"on {args.workers} dedicated cores the run takes about {cpu_children / args.workers:.0f} s.  ",
             f"Load before: `{load_before}`  ",
             f"Load after: `{load_after}`  ",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
             f"torch {__import__('torch').__version__}; numpy {np.__version__}.", "",
             "## Best test RMSE over 5 seeds", "", "| d | N | ε = N^(−1/d) | best test RMSE | median test RMSE |",
             "|---|---|---|---|---|"]
    for d, N in settings:
        res = results[(d, N, "float32")][0]
        lines.append(f"| {d} | {N} | {res['eps']:.4f} | {res['rmse'].min():.5f} | {np.median(res['rmse']):.5f} |")
    lines += ["", "## Fitted exponents α̂ = −slope(log best RMSE, log N)", "",
              "| width list | d | α̂ | 1/d | 2/d |", "|---|---|---|---|---|"]
    for key, Ns in EXPERIMENT_B_WIDTHS.items():
        d = 4 if key == "4hd" else key
        a = -log_slope(Ns, [best(d, N) for N in Ns])
        name = "scaling_hd.py" if key == "4hd" else "scaling.py"
        lines.append(f"| {name} {Ns} | {d} | {a:.3f} | {1 / d:.3f} | {2 / d:.3f} |")
    lines += ["", "## float32 against float64 (same seeds, same data)", "",
              "| d | N | best RMSE float32 | best RMSE float64 | relative difference |", "|---|---|---|---|---|"]
    for d, N in FLOAT64_CHECK:
        a, b = best(d, N), best(d, N, "float64")
        lines.append(f"| {d} | {N} | {a:.6f} | {b:.6f} | {abs(a - b) / b:.2e} |")
    (out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
