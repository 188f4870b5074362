# The two commands a person needs. Each sets everything up from nothing on a fresh
# Debian machine (system packages, .venv, MoveNet models) and is quick when already set up.
.PHONY: app test setup lint bench eval eval-pairs

PORT ?= 8501

app:
	bash scripts/setup.sh app
	.venv/bin/streamlit run streamlit_app.py --server.headless true --server.address localhost --server.port $(PORT) --browser.gatherUsageStats false

test:
	bash scripts/setup.sh test
	bash scripts/test.sh

setup:
	bash scripts/setup.sh test

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

bench:
	.venv/bin/fitness bench --json artifacts/bench.json

eval: eval-pairs
	.venv/bin/fitness eval ../shared/data/manifest.csv

# Group mode: two-person clips composed from the labelled clips, each side scored (issue 14).
eval-pairs:
	mkdir -p artifacts
	.venv/bin/fitness eval-pairs ../shared/data/manifest.csv ../shared/data/catalogue_manifest.csv --json artifacts/eval_pairs.json
