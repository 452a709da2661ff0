"""Files are selected like git selects them: nested .gitignore files, negations, no .git/, extra excludes."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from resources.codebase.selection import walk_tree


def _paths(root, excludes=()):
    return {e.rel.decode("utf-8", "surrogateescape") for e in walk_tree(root, excludes)}


def _make(tmp_path):
    root = tmp_path / "repo"
    files = {
        ".gitignore": "*.log\nbuild/\n/only_root.txt\n!keep.log\n",
        "a.py": "a", "debug.log": "x", "keep.log": "k", "only_root.txt": "r",
        "build/out.o": "o", "sub/build/deep.o": "o", "sub/only_root.txt": "r2",
        "sub/.gitignore": "*.tmp\n!important.log\nlocal/\n",
        "sub/x.tmp": "t", "sub/important.log": "i", "sub/other.log": "o",
        "sub/local/f": "f", "sub/inner/.gitignore": "!x.tmp\n", "sub/inner/x.tmp": "re-included",
        "docs/readme.md": "d", "data/big.csv": "1,2",
        ".git/config": "[core]", "vendor/.git": "gitdir: ../.git/modules/vendor", "vendor/lib.c": "c",
    }
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def test_gitignore_rules_nested_negation_and_git_dir(tmp_path):
    root = _make(tmp_path)
    got = _paths(root)
    assert "a.py" in got and "keep.log" in got and "sub/only_root.txt" in got
    assert "debug.log" not in got and "only_root.txt" not in got
    assert not any(p.startswith("build") or "/build" in p for p in got)
    assert "sub/x.tmp" not in got and "sub/important.log" in got and "sub/other.log" not in got
    assert "sub/local" not in got and "sub/local/f" not in got
    assert "sub/inner/x.tmp" in got  # deeper .gitignore re-includes
    assert not any(p == ".git" or p.startswith(".git/") or p.endswith("/.git") for p in got)
    assert "vendor/lib.c" in got and "sub/.gitignore" in got


def test_extra_excludes_win(tmp_path):
    root = _make(tmp_path)
    got = _paths(root, ["data/", "*.md", "!keep.log", "keep.log"])
    assert "data" not in got and "data/big.csv" not in got and "docs/readme.md" not in got
    assert "keep.log" not in got and "a.py" in got


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_selection_matches_git_ls_files(tmp_path):
    root = _make(tmp_path)
    shutil.rmtree(root / ".git")
    (root / "vendor" / ".git").unlink()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                         check=True, capture_output=True).stdout
    git_files = {p.decode() for p in out.split(b"\0") if p}
    ours = {e.rel.decode() for e in walk_tree(root) if e.kind != "d"}
    assert ours == git_files


def test_walk_is_sorted_and_parents_first(tmp_path):
    root = _make(tmp_path)
    rels = [e.rel for e in walk_tree(root)]
    seen = set()
    for r in rels:
        parent = os.path.dirname(r)
        assert not parent or parent in seen
        seen.add(r)
