"""Output files that never destroy data: no output onto an input, complete files or none.

Every output is written to a hidden temporary file in the target's folder and renamed over the
target only once it is complete: a crash, a full disk or an error halfway leaves the old file
(or nothing) where the output goes, never half a file. The rename is atomic because it stays on
one file system (same folder).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fitness.errors import OutputPathError


def _same(a: Path, b: Path) -> bool:
    """The same file: equal once links are resolved, or the same inode (a hard link)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): only the resolved paths can tell
        return False


def check_no_clobber(outputs: Iterable[Path | None], inputs: Iterable[tuple[str, Path | None]]) -> None:
    """Refuse an output that is one of the inputs (``(what, path)``, e.g. ``("the video", p)``)
    or another output, in one line, before any work is done. ``None`` and ``-`` (stdout) are
    skipped."""
    outs = [p for p in outputs if p is not None and str(p) != "-"]
    ins = [(what, p) for what, p in inputs if p is not None and str(p) != "-"]
    for i, out in enumerate(outs):
        for what, path in ins:
            if _same(out, path):
                raise OutputPathError(f"refusing to write {out}: it is {what}, which would be lost")
        for other in outs[i + 1 :]:
            if _same(out, other):
                raise OutputPathError(f"refusing to write {out} twice: give each output its own file")


def _real(target: Path) -> Path:
    """Where an output really goes: through a symbolic link to the file it names (as editors
    do), so the link stays a link."""
    return target.resolve() if target.is_symlink() else target


def temp_beside(target: Path, suffix: str | None = None) -> Path:
    """A new, empty hidden file in ``target``'s folder (keeping its suffix, which writers read).

    Created with the usual ``0o666`` less the umask (``mkstemp`` would make it private)."""
    end = target.suffix if suffix is None else suffix
    real = _real(target)
    for _ in range(100):
        tmp = real.parent / f".{real.name}.{secrets.token_hex(4)}.part{end}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}") from None
        return tmp
    raise OutputPathError(f"cannot write {target}: no free temporary name in {target.parent}")


def commit(tmp: Path, target: Path) -> None:
    """Move the finished ``tmp`` over ``target`` (atomically), keeping the permissions of the
    file it replaces; the temporary file goes either way."""
    real = _real(target)
    try:
        if real.exists():
            os.chmod(tmp, stat.S_IMODE(real.stat().st_mode))
        os.replace(tmp, real)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}") from None


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path to write ``target``'s content to; renamed into place if the block
    finishes, deleted if it raises."""
    tmp = temp_beside(target)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    commit(tmp, target)


def write_bytes_atomically(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}") from None
