"""What changed between two snapshots: added, removed, content, type or permissions only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from resources.codebase import manifest as mf
from resources.codebase.store import CodebaseStore


@dataclass(frozen=True)
class DiffItem:
    status: str  # "A" added, "D" removed, "M" content, "T" type, "P" permissions only
    path: str


def diff(store: CodebaseStore, id1: str, id2: str) -> list[DiffItem]:
    """Differences from snapshot `id1` to snapshot `id2`, sorted by path."""
    try:
        _, a = store.read_manifest(store.get(id1))
        _, b = store.read_manifest(store.get(id2))
    finally:
        store.close()
    return diff_entries(a, b)


def diff_entries(a: Iterable[mf.Entry], b: Iterable[mf.Entry]) -> list[DiffItem]:
    """Differences from tree `a` to tree `b`, sorted by path."""
    old = {e.path: e for e in a}
    new = {e.path: e for e in b}
    out = []
    for path in sorted(old.keys() | new.keys()):
        x, y = old.get(path), new.get(path)
        if x is None:
            out.append(DiffItem("A", y.display))
        elif y is None:
            out.append(DiffItem("D", x.display))
        elif x.kind != y.kind:
            out.append(DiffItem("T", y.display))
        elif x.content_key() != y.content_key():
            out.append(DiffItem("M", y.display))
        elif x.mode != y.mode:
            out.append(DiffItem("P", y.display))
    return out
