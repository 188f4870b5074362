"""Time the History page on a history database: server time per run and SQL statements.

    .venv/bin/python scripts/time_history_page.py /tmp/demo.db [--runs 5] [--root CHECKOUT] [--json out.json]

The page runs in real Streamlit without a browser (``streamlit.testing.v1.AppTest``), with
every chart drawn; each run is timed around ``AppTest.run`` (wall clock, and the process's
CPU time, which other jobs on a busy machine disturb less) and every statement sent to the
database is counted (a SQLAlchemy ``before_cursor_execute`` listener). The first run opens
the store (cached afterwards, as in the app); the others are what a person waits for when
changing a filter or picking a session.

``--root`` times another checkout's page on the same data, e.g. the code before the layout
change: ``git worktree add /tmp/old baseline-pre-layout`` then ``--root /tmp/old``. That
code kept every page in ``streamlit_app.py``, which starts its navigation on import; the
script runs its source without that last call and then the History page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

PAGE_SCRIPT = """
try:
    from fitness.app.pages.history import page_history
except ModuleNotFoundError:  # the pre-layout app: pages in streamlit_app.py, main() at the end
    import pathlib, sys, types
    source = pathlib.Path("streamlit_app.py").read_text()
    module = sys.modules.setdefault("old_streamlit_app", types.ModuleType("old_streamlit_app"))
    if not hasattr(module, "page_history"):
        exec(compile(source.rsplit("\\nmain()", 1)[0], "streamlit_app.py", "exec"), module.__dict__)
    page_history = module.page_history
page_history()
"""


def measure(url: str, runs: int) -> dict[str, Any]:
    """Run the page ``runs`` + 1 times in this process (the checkout on sys.path)."""
    import sqlalchemy as sa
    from streamlit.testing.v1 import AppTest

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    os.environ["FITNESS_DB"] = url
    app = AppTest.from_string(PAGE_SCRIPT, default_timeout=600)
    timings: list[float] = []
    cpu: list[float] = []
    counts: list[int] = []
    selects: list[int] = []
    for _ in range(runs + 1):
        statements.clear()
        began, began_cpu = time.perf_counter(), time.process_time()
        app.run()
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        counts.append(len(statements))
        selects.append(sum(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in statements))
        if app.exception:
            raise SystemExit(f"the page failed: {app.exception[0].message}")
    charts = len(app.get("plotly_chart"))
    metrics = {m.label: m.value for m in app.metric}
    return {
        "first_run_s": round(timings[0], 3),
        "first_run_statements": counts[0],
        "runs": runs,
        "median_s": round(statistics.median(timings[1:]), 3),
        "min_s": round(min(timings[1:]), 3),
        "max_s": round(max(timings[1:]), 3),
        # CPU seconds of the process: less at the mercy of other jobs on a busy machine.
        "median_cpu_s": round(statistics.median(cpu[1:]), 3),
        "statements_per_run": counts[1:],
        "selects_per_run": selects[1:],
        "charts_drawn": charts,
        "metrics": metrics,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("db", help="history database file or SQLAlchemy URL")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the first (default 5)")
    parser.add_argument("--root", type=Path, default=REPO, help="checkout whose page to time (default: this one)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        sys.stdout.write(json.dumps(measure(args.db, args.runs)) + "\n")
        return 0
    root = args.root.resolve()
    # A child process, so that the checkout's own `fitness` package is the one imported.
    env = {**os.environ, "PYTHONPATH": str(root), "FITNESS_LOG_LEVEL": "WARNING"}
    db = str(Path(args.db).resolve()) if "://" not in args.db else args.db
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), db, "--runs", str(args.runs), "--child"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
        return done.returncode
    result = {"root": str(root), "db": db, **json.loads(done.stdout.strip().splitlines()[-1])}
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
