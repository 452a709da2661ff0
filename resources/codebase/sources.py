"""Where a snapshot's entries and file contents come from: the live folder, or a tree held in memory.

A source yields `manifest.Entry` objects (path, kind, mode, mtime, size, ...) with a handle
for the content, says when a file is unchanged since the parent snapshot (so its chunks are
reused without reading it), and opens a file's content. The archiver does the rest.
`gittree.GitTree` is the third source: a commit's tree read from git objects.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import BinaryIO, Iterator, Mapping, Protocol, Sequence

from resources.codebase import manifest as mf
from resources.codebase.selection import DIR, FILE, LINK, WalkStats, walk_tree
from resources.codebase.store import CodebaseError


class Vanished(Exception):
    """A file deleted between the walk and its read: it is not in the snapshot."""


class TreeSource(Protocol):
    capture: str  # "live", "git" or "import": recorded in the snapshot's .meta
    parallel_reads: bool  # True: worker threads may open files at once; False: one reader, in order

    def describe(self) -> dict: ...  # plain .meta fields: source, capture, commit, ...
    def entries(self, stats: WalkStats) -> Iterator[tuple[mf.Entry, object]]: ...  # parents first
    def unchanged(self, old: mf.Entry, new: mf.Entry) -> bool: ...  # may the parent's chunks be reused?
    def open(self, handle) -> BinaryIO: ...
    def read(self, handle, size: int) -> bytes: ...  # a small file's content (parallel sources)
    def close(self) -> None: ...


class LiveTree:
    """The folder as it is now, selected like git (`.gitignore`, no `.git/`, extra excludes).

    Files are opened by the archiver's worker threads (`parallel_reads`). A file is unchanged
    when its size, mtime, ctime and inode are (restic's rule)."""

    capture = "live"
    parallel_reads = True

    def __init__(self, root: Path | str, excludes: Sequence[str] = ()):
        self.root = Path(root)
        self.excludes = list(excludes)

    def describe(self) -> dict:
        return {"source": str(self.root.resolve()), "capture": self.capture}

    def entries(self, stats: WalkStats) -> Iterator[tuple[mf.Entry, object]]:
        for w in walk_tree(self.root, self.excludes, stats):
            st = w.st
            entry = mf.Entry(path=w.rel, kind=w.kind, mode=stat.S_IMODE(st.st_mode), mtime_ns=st.st_mtime_ns)
            if w.kind == FILE:
                entry.size, entry.ino, entry.ctime_ns = st.st_size, st.st_ino, st.st_ctime_ns
            elif w.kind == LINK:
                entry.target = os.readlink(w.abs)
            yield entry, w.abs

    @staticmethod
    def unchanged(old: mf.Entry, new: mf.Entry) -> bool:
        return (old.size, old.mtime_ns, old.ctime_ns, old.ino) == (new.size, new.mtime_ns, new.ctime_ns, new.ino)

    @staticmethod
    def _fd(handle) -> int:
        """Open a file of the walk for reading, never through a symlink."""
        try:
            return os.open(handle, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise Vanished() from None
        except OSError as e:
            raise CodebaseError(f"cannot read {os.fsdecode(handle)}: {e.strerror}") from None

    def open(self, handle) -> BinaryIO:
        return os.fdopen(self._fd(handle), "rb", buffering=0)

    def read(self, handle, size: int) -> bytes:
        """A small file's content in one read(2) when it still has `size` bytes (no fstat, no
        lseek: a file object costs three more system calls per file)."""
        fd = self._fd(handle)
        try:
            data = os.read(fd, size + 1)
            if len(data) <= size:  # a short read of a regular file is its end
                return data
            pieces = [data]  # it grew while we walked: read to the end
            while piece := os.read(fd, 1 << 20):
                pieces.append(piece)
            return b"".join(pieces)
        finally:
            os.close(fd)

    def close(self) -> None:
        pass


class MemoryTree:
    """Files given as {relative path (bytes): content (bytes)}, e.g. a MIRA 1.0 snapshot being imported.

    Folders are made from the paths (mode 0755), files have mode 0644; every entry has the
    same mtime. Paths must be relative, `/`-separated, without `.`, `..` or empty parts."""

    capture = "import"
    parallel_reads = False

    def __init__(self, files: Mapping[bytes, bytes], mtime_ns: int, describe: Mapping | None = None):
        for path in files:
            mf.check_rel_path(path)
        self.files = files
        self.mtime_ns = mtime_ns
        self._describe = dict(describe or {})

    def describe(self) -> dict:
        return {"source": "", "capture": self.capture, **self._describe}

    def entries(self, stats: WalkStats) -> Iterator[tuple[mf.Entry, object]]:
        dirs: set[bytes] = set()
        for path in sorted(self.files):
            parts = path.split(b"/")
            for i in range(1, len(parts)):
                d = b"/".join(parts[:i])
                if d in self.files:
                    raise ValueError(f"{d!r} is both a file and a folder")
                if d not in dirs:
                    dirs.add(d)
                    yield mf.Entry(path=d, kind=DIR, mode=0o755, mtime_ns=self.mtime_ns), None
            yield mf.Entry(path=path, kind=FILE, mode=0o644, mtime_ns=self.mtime_ns, size=len(self.files[path])), path

    @staticmethod
    def unchanged(old: mf.Entry, new: mf.Entry) -> bool:
        return False  # content is in memory: naming it is the cheap part

    def open(self, handle) -> BinaryIO:
        return io.BytesIO(self.files[handle])

    def read(self, handle, size: int) -> bytes:
        return self.files[handle]

    def close(self) -> None:
        pass
