# The two commands a person needs. Each sets everything up from nothing on a fresh
# Debian machine (system packages, .venv, MoveNet models) and is quick when already set up.
.PHONY: app test setup lint bench eval eval-pairs bench-batch batch-eval

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

# The long test sweeps (pytest -m sweep: the pose-rate checks over the catalogue and the
# workout and form clips), the counts of the labelled clips, then sets: the labelled workout
# clips and twelve workouts of 3-6 sets joined from labelled clips of different exercises
# (scripts/make_workouts.py: about 5 minutes to make, 15 to analyse on two cores); then group
# mode on two-person clips composed from the labelled clips. The README's workout tables are eval_workout_clips.json and eval.json.
eval: eval-pairs
	.venv/bin/python -m pytest -m sweep tests
	.venv/bin/fitness eval ../shared/data/manifest.csv
	.venv/bin/fitness eval ../shared/data/catalogue_manifest.csv
	.venv/bin/fitness eval ../shared/data/scenes_manifest.csv --json artifacts/eval_workout_clips.json
	.venv/bin/python scripts/make_workouts.py --out artifacts/workouts
	.venv/bin/fitness eval artifacts/workouts/workouts_manifest.csv --json artifacts/workouts/eval.json --every-frame

# Group mode: two-person clips composed from the labelled clips, each side scored (issue 14).
eval-pairs:
	mkdir -p artifacts
	.venv/bin/fitness eval-pairs ../shared/data/manifest.csv ../shared/data/catalogue_manifest.csv --json artifacts/eval_pairs.json

# Ray batch throughput: 1 vs 2 workers, and Ray with 1 worker vs a plain sequential loop.
bench-batch:
	.venv/bin/fitness bench --batch --json artifacts/bench-batch.json

# The batch tests over every video of ../shared/data/manifest.csv (the default suite runs five).
batch-eval:
	FITNESS_BATCH_CLIPS=all bash scripts/test.sh tests/batch -m slow
