#!/usr/bin/env bash
# The whole test suite: lint, type check, then pytest with a throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3

echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy

pgdir=""
if [ -x scripts/pg_cluster.sh ] || [ -f scripts/pg_cluster.sh ]; then
  pgdir="$(mktemp -d /tmp/fitness-pg.XXXXXX)"
  port="${FITNESS_TEST_PG_PORT:-55432}"
  trap 'bash scripts/pg_cluster.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  FITNESS_TEST_PG_URL="$(bash scripts/pg_cluster.sh start "$pgdir" "$port" | tail -n 1)"
  export FITNESS_TEST_PG_URL
  echo "== PostgreSQL test server at ${FITNESS_TEST_PG_URL}"
fi

echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
# pytest's 5 means no test ran: that is a failure of the suite, not a pass.
exit $code
