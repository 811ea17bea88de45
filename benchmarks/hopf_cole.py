"""Benchmark: hjlib.hopf_cole (dense and chunked) vs a naive torch baseline vs the bare matmul.

    python benchmarks/hopf_cole.py            # full: N=M=4096, d=64 and N=M=32768, d=16
    python benchmarks/hopf_cole.py --quick    # small sizes, a smoke run

Forward evaluation of u = −ε log Σⱼ exp(−(gⱼ + |xᵢ − yⱼ|²/4)/ε) (t = 1, ε = 0.1, x, y standard
normal, g uniform), no gradients. Methods, side by side in one process:

* ``hjlib dense``   — ``hopf_cole(x, y, g, 1, ε)`` (cache-blocked, all M columns per row block)
* ``hjlib chunked`` — ``hopf_cole(..., chunk_size=4096)`` (online log-sum-exp over column chunks)
* ``naive``         — ``-ε·torch.logsumexp(-(torch.cdist(x, y)**2/4 + g)/ε, 1)``
* ``bare matmul``   — ``x @ y.T`` of the same size: the floor every method pays. At 32768² it is
  run in 4096-row blocks into one reused buffer (same FLOPs; a single 4–8 GB output would time
  the page faults, not the product).

Times are medians of repeated runs; peak extra memory is the peak RSS of a fresh subprocess per
(case, method) during the call minus its RSS just before it (inputs already allocated; the
kernel's peak mark VmHWM is reset via /proc/self/clear_refs, falling back to
``resource.getrusage`` max RSS), so torch's allocations are seen. The table is printed and
written to benchmarks/results/hopf_cole.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import hjlib  # noqa: E402

EPS = 0.1
CHUNK = 4096
ROOT = Path(__file__).resolve().parent


def make_data(N, M, d, dtype):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(N, d, generator=gen, dtype=dtype)
    y = torch.randn(M, d, generator=gen, dtype=dtype)
    g = torch.rand(M, generator=gen, dtype=dtype)
    return x, y, g


def method_fn(name, x, y, g):
    if name == "hjlib dense":
        return lambda: hjlib.hopf_cole(x, y, g, 1.0, EPS)
    if name == "hjlib chunked":
        return lambda: hjlib.hopf_cole(x, y, g, 1.0, EPS, chunk_size=CHUNK)
    if name == "naive":
        return lambda: -EPS * torch.logsumexp(-(torch.cdist(x, y) ** 2 / 4 + g) / EPS, 1)
    if name == "bare matmul":
        N, M = x.shape[0], y.shape[0]
        if N * M <= 4096 * 4096:
            return lambda: x @ y.T
        buf = torch.empty(4096, M, dtype=x.dtype)

        def blocked():
            for i in range(0, N, 4096):
                torch.mm(x[i:i + 4096], y.T, out=buf[: min(4096, N - i)])
        return blocked
    raise ValueError(name)


def naive_feasible(N, M, dtype):
    # cdist output, its square and logsumexp's temporaries: ≥ 3 N·M arrays
    need = 3 * N * M * torch.finfo(dtype).bits // 8
    return need <= 10 * 2**30, need


def worker(name, N, M, d, dtype_name):
    """Run one method once in this (fresh) process; print peak extra RSS in bytes."""
    dtype = getattr(torch, dtype_name)
    x, y, g = make_data(N, M, d, dtype)
    method_fn(name, x[:8], y[:8], g[:8])()   # load kernels/libraries before the baseline
    fn = method_fn(name, x, y, g)
    before = _status_kib("VmRSS")
    try:  # reset the kernel's peak-RSS mark (VmHWM) so the peak below is this call's
        Path("/proc/self/clear_refs").write_text("5")
        after_key = "VmHWM"
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        after_key = None
    fn()
    after = _status_kib(after_key) if after_key else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(max(after - before, 0) * 1024)


def _status_kib(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def peak_extra_memory(name, N, M, d, dtype):
    out = subprocess.run([sys.executable, __file__, "--worker", name, str(N), str(M), str(d),
                          str(dtype).split(".")[-1]], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def median_time(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def fmt_bytes(b):
    return f"{b / 2**20:.0f} MiB" if b < 2**30 else f"{b / 2**30:.2f} GiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--worker", nargs=5)
    args = ap.parse_args()
    if args.worker:
        name, N, M, d, dt = args.worker
        worker(name, int(N), int(M), int(d), dt)
        return
    cases = [(1024, 1024, 64), (4096, 4096, 16)] if args.quick else [(4096, 4096, 64), (32768, 32768, 16)]
    methods = ["hjlib dense", "hjlib chunked", "naive", "bare matmul"]
    rows = []
    for N, M, d in cases:
        for dtype in (torch.float32, torch.float64):
            x, y, g = make_data(N, M, d, dtype)
            big = N * M > 4096 * 4096
            repeats = 3 if big else 7
            times = {}
            ref = None
            for name in methods:
                if name == "naive":
                    ok, need = naive_feasible(N, M, dtype)
                    if not ok:
                        times[name] = None
                        continue
                fn = method_fn(name, x, y, g)
                times[name] = median_time(fn, repeats)
                if name.startswith("hjlib"):
                    u = fn()
                    if ref is None:
                        ref = u
                    else:
                        assert torch.allclose(u, ref, rtol=1e-5, atol=1e-4)
            for name in methods:
                t = times[name]
                if t is None:
                    ok, need = naive_feasible(N, M, dtype)
                    rows.append((f"{N}²×{d}", str(dtype).split(".")[-1], name, "skipped",
                                 "", "", f"would need ≥ {fmt_bytes(need)}"))
                    continue
                mem = peak_extra_memory(name, N, M, d, dtype)
                r_naive = f"{times['naive'] / t:.1f}×" if times.get("naive") else "n/a"
                r_mm = f"{t / times['bare matmul']:.2f}"
                rows.append((f"{N}²×{d}", str(dtype).split(".")[-1], name, f"{t * 1e3:.1f}",
                             r_naive, r_mm, fmt_bytes(mem)))
            print(rows[-4:], flush=True)
    header = ("| case N=M, d | dtype | method | median ms | speed-up vs naive | time / bare matmul "
              "| peak extra memory |\n|---|---|---|---|---|---|---|")
    table = header + "\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows)
    info = (f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; ε = {EPS}, t = 1, "
            f"chunk_size = {CHUNK}; x, y ~ N(0, I), g ~ U(0, 1); forward only, no gradients.")
    text = f"# hjlib.hopf_cole benchmark{' (--quick)' if args.quick else ''}\n\n{info}\n\n{table}\n"
    print(text)
    if not args.quick:
        (ROOT / "results").mkdir(exist_ok=True)
        (ROOT / "results" / "hopf_cole.md").write_text(text)


if __name__ == "__main__":
    main()
