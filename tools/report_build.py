"""Print per-chapter execution times recorded by the book build (jupyter-cache).

`make book` and `make test` call this after `jupyter-book build`; it reads the execution cache
in _build/.jupyter_cache and lists, for each chapter in _toc.yml, how long its last execution
took and whether the build used the cache. Exit status 0 always: it only reports.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conftest import toc_notebooks  # noqa: E402


def main() -> int:
    cache_dir = ROOT / "_build" / ".jupyter_cache"
    if not cache_dir.exists():
        print("no execution cache at _build/.jupyter_cache (book not built yet)")
        return 0
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    records = {}
    for rec in cache.list_cache_records():
        uri = Path(rec.uri).resolve()
        prev = records.get(uri)
        if prev is None or rec.created > prev.created:
            records[uri] = rec
    total = 0.0
    print("chapter execution times (last execution recorded in the cache):")
    for nb in toc_notebooks():
        rec = records.get(nb.resolve())
        rel = nb.relative_to(ROOT)
        if rec is None:
            forced = "execution_mode: force" in nb.read_text(encoding="utf-8").split("\n---", 1)[0]
            print(f"  {rel}: " + ("re-executed on every build (execution_mode: force; not cached)"
                                  if forced else "not in cache"))
            continue
        secs = float((rec.data or {}).get("execution_seconds", float("nan")))
        total += secs
        print(f"  {rel}: {secs:6.1f} s  (executed {rec.created:%Y-%m-%d %H:%M:%S})")
    print(f"  total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
