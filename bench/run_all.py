"""Run every benchmark under bench/ (bench_*.py), one process each, and summarise.

Each benchmark prints its own figures and a ratio against a baseline measured side by side
in the same run, and exits non-zero when it misses a stated target. `make bench` runs this;
`python bench/run_all.py geo` runs only the benchmarks whose name contains "geo".
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not wanted or any(w in p.stem for w in wanted))
    results = []
    for script in scripts:
        print(f"\n===== {script.stem} =====", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        results.append((script.stem, code, time.perf_counter() - start))
    print("\n===== summary =====")
    for name, code, seconds in results:
        print(f"{'PASS' if code == 0 else 'FAIL'}  {name:<32} ({seconds:.1f} s)")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
