"""A git commit's tree as a snapshot source, read from git objects with the git CLI's plumbing.

Nothing is checked out and the user's index and working tree are never touched: `rev-list`
finds the commit, `ls-tree -r -t -l -z` lists its tree, `cat-file --batch` streams the blobs.
The committed tree is the selection (its `.gitignore` rules were applied when files were
added); the configured extra excludes still apply. Files get mode 0644 or 0755 (git keeps
no other bits), symlinks their target, and every entry the commit's committer time as
mtime. Submodules (gitlinks) are skipped and counted. A file's git blob id is kept in the
manifest entry, so the next day's snapshot reuses the chunks of every blob it has seen
without reading it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from resources.codebase import manifest as mf
from resources.codebase.selection import DIR, FILE, LINK, TreeSelector, WalkStats
from resources.codebase.store import CodebaseError

_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


class GitError(CodebaseError):
    """git failed; the message says which command and why."""


def _git(repo: Path | str, *args: str) -> bytes:
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env={**os.environ, **_ENV})
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed in {repo}: {msg[-1] if msg else f'exit {proc.returncode}'}")
    return proc.stdout


@dataclass(frozen=True)
class WorkTree:
    """A folder inside a git working tree: the repository's top folder and the folder's path in it."""

    toplevel: Path
    prefix: str  # "" for the top folder, else "sub/dir/"


@dataclass(frozen=True)
class Commit:
    id: str
    time: int  # committer time, epoch seconds


def work_tree(path: Path | str) -> WorkTree | None:
    """The git working tree `path` is in, or None (not in one, or git missing or refusing it)."""
    try:
        out = _git(path, "rev-parse", "--is-inside-work-tree", "--show-toplevel", "--show-prefix").decode("utf-8", "surrogateescape")
    except GitError:
        return None
    lines = out.split("\n")
    if len(lines) < 3 or lines[0] != "true":
        return None
    return WorkTree(Path(lines[1]), lines[2])


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of a UTC day (commit times have 1-second resolution)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), dt.timezone.utc)


def commit_on_or_before(repo: Path | str, moment: dt.datetime) -> Commit | None:
    """The newest commit on HEAD's first-parent line whose committer time is at or before `moment`.

    First parent only: a branch merged later does not count as "on HEAD" before its merge."""
    stamp = moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000")
    try:
        out = _git(repo, "rev-list", "-1", "--first-parent", f"--before={stamp}", "--format=%ct", "HEAD").decode("ascii")
    except GitError:
        return None  # no HEAD yet (empty repository)
    lines = out.split()
    if len(lines) < 3 or lines[0] != "commit":
        return None
    return Commit(lines[1], int(lines[2]))


def tree_exists(repo: Path | str, commit: Commit, prefix: str) -> bool:
    """Whether the folder `prefix` ("" = the top) is a tree in `commit`."""
    try:
        return _git(repo, "cat-file", "-t", f"{commit.id}:{prefix}").strip() == b"tree"
    except GitError:
        return False


class _BlobReader(io.RawIOBase):
    """Exactly `size` bytes of one blob from `cat-file --batch`'s output, then its trailing newline."""

    def __init__(self, pipe: BinaryIO, size: int):
        self._pipe = pipe
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._left == 0:
            return 0
        n = self._pipe.readinto(memoryview(b)[: min(len(b), self._left)])
        if not n:
            raise GitError("git cat-file ended in the middle of a blob")
        self._left -= n
        if self._left == 0 and self._pipe.read(1) != b"\n":
            raise GitError("git cat-file output is out of step")
        return n


class GitTree:
    """The tree of `commit` (under the folder `prefix`) in the repository at `toplevel`.

    Blobs are read one after the other from one `git cat-file --batch` process, by the
    archiver's main thread (`parallel_reads` is False): read a blob to its end before asking
    for the next."""

    capture = "git"
    parallel_reads = False

    def __init__(self, toplevel: Path | str, commit: Commit, prefix: str = "", excludes: Sequence[str] = ()):
        self.toplevel = Path(toplevel)
        self.commit = commit
        self.prefix = prefix
        self.selector = TreeSelector(excludes)
        self._proc: subprocess.Popen | None = None

    def describe(self) -> dict:
        return {"source": str(self.toplevel / self.prefix), "capture": self.capture, "commit": self.commit.id,
                "commit_time": self.commit.time}

    def entries(self, stats: WalkStats) -> Iterator[tuple[mf.Entry, object]]:
        treeish = f"{self.commit.id}:{self.prefix}" if self.prefix else self.commit.id
        listing = _git(self.toplevel, "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", treeish)
        mtime_ns = self.commit.time * 1_000_000_000
        skipped: bytes | None = None  # an excluded folder: its entries follow it
        for record in listing.split(b"\0"):
            if not record:
                continue
            info, path = record.split(b"\t", 1)
            mode_s, type_s, oid, size_s = info.split()
            if skipped is not None and path.startswith(skipped):
                continue
            skipped = None
            is_dir = type_s == b"tree"
            if type_s == b"commit":  # a submodule: its content is another repository
                stats.skipped_special += 1
                skipped = path + b"/"
                continue
            if self.selector.ignored(path, is_dir, []):
                stats.ignored += 1
                if is_dir:
                    skipped = path + b"/"
                continue
            mode = int(mode_s, 8)
            if is_dir:
                yield mf.Entry(path=path, kind=DIR, mode=0o755, mtime_ns=mtime_ns), None
            elif mode == 0o120000:
                yield mf.Entry(path=path, kind=LINK, mode=0o777, mtime_ns=mtime_ns, target=self._read_all(oid.decode())), None
            else:
                yield (mf.Entry(path=path, kind=FILE, mode=0o755 if mode & 0o111 else 0o644, mtime_ns=mtime_ns,
                                size=int(size_s), oid=oid.decode()), oid.decode())

    @staticmethod
    def unchanged(old: mf.Entry, new: mf.Entry) -> bool:
        return bool(old.oid) and old.oid == new.oid

    def open(self, handle) -> BinaryIO:
        """The content of blob `handle`: read it to its end before opening the next."""
        proc = self._cat_file()
        proc.stdin.write(handle.encode("ascii") + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            raise GitError(f"git object {handle} is not a readable blob ({b' '.join(header[1:]).decode('ascii', 'replace') or 'no answer'})")
        return _BlobReader(proc.stdout, int(header[2]))

    def read(self, handle, size: int) -> bytes:
        with self.open(handle) as fh:
            return fh.read()

    def _read_all(self, oid: str) -> bytes:
        with self.open(oid) as fh:
            return fh.read()

    def _cat_file(self) -> subprocess.Popen:
        if self._proc is None:
            self._proc = subprocess.Popen(["git", "-C", str(self.toplevel), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **_ENV})
        return self._proc

    def close(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            proc.stdin.close()
            proc.stdout.close()
            proc.wait()
