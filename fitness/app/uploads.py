"""Temporary folders for uploaded videos and their annotated copies, never left behind.

An upload's folder (``fitness-upload-*`` in the temp folder) goes:

* when its analysis is replaced or fails (:meth:`UploadFolder.remove`),
* when the browser session ends: Streamlit has no session-end callback, but it releases a
  session's ``st.cache_resource(scope="session")`` entries when the session disconnects or is
  shut down, and the page keeps the session's :class:`SessionUploads` there with
  :meth:`SessionUploads.release` as the release hook,
* when nothing refers to it any more (garbage collected) or the server process exits: each
  folder has a :func:`weakref.finalize`, which runs at collection and, for those still alive, at
  interpreter exit (a server stopped with Ctrl+C or SIGTERM exits normally),
* and, for a server that was killed outright (SIGKILL, power cut), at the next start-up:
  :func:`sweep_stale` removes such folders untouched for a day (a day, so that a second server
  running beside this one keeps the folders it is showing).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from datetime import timedelta
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

PREFIX: Final = "fitness-upload-"
STALE_AFTER: Final = timedelta(days=1)


def _remove(path: Path) -> None:
    # The finaliser's callback: it must not refer to the UploadFolder, or that would never be collected.
    shutil.rmtree(path, ignore_errors=True)
    log.debug("removed the upload folder %s", path)


class UploadFolder:
    """One upload's temporary folder, removed by :meth:`remove`, when the object is collected,
    or when the process exits, whichever comes first (once)."""

    __slots__ = ("__weakref__", "_finalizer", "path")

    def __init__(self, root: Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
        self._finalizer = weakref.finalize(self, _remove, self.path)

    def remove(self) -> None:
        self._finalizer()

    @property
    def removed(self) -> bool:
        return not self._finalizer.alive


class SessionUploads:
    """The upload folders of one browser session, removed together when the session ends.

    Holds them weakly: a folder whose analysis is gone is already on its way out."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self._folders: weakref.WeakSet[UploadFolder] = weakref.WeakSet()
        self._lock = threading.Lock()  # the release hook may run on another thread than the page

    def new(self) -> UploadFolder:
        folder = UploadFolder(self._root)
        with self._lock:
            self._folders.add(folder)
        return folder

    def remove_all(self) -> int:
        """Remove every folder of the session still there; returns how many."""
        with self._lock:
            folders = [f for f in self._folders if not f.removed]
            self._folders.clear()
        for folder in folders:
            folder.remove()
        return len(folders)

    def release(self) -> None:
        """The session ended (Streamlit's release hook of a session-scoped resource)."""
        removed = self.remove_all()
        if removed:
            log.info("a browser session ended: removed its %d upload folder(s)", removed)


def sweep_stale(root: Path | None = None, *, older_than: timedelta = STALE_AFTER) -> list[Path]:
    """Remove upload folders in ``root`` (the temp folder) untouched for ``older_than``: those
    a killed server left behind. Returns what was removed. Links and other people's files are
    never followed or touched."""
    folder = Path(root) if root is not None else Path(tempfile.gettempdir())
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        log.warning("cannot look for old upload folders in %s: %s", folder, exc.strerror)
        return []
    for entry in entries:
        try:
            if not (entry.name.startswith(PREFIX) and entry.is_dir(follow_symlinks=False)):
                continue
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid != os.getuid() or info.st_mtime >= cutoff:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    if removed:
        log.info("removed %d upload folder(s) older than %s from %s", len(removed), older_than, folder)
    return removed
