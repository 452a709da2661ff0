"""Markdown for Dagster metadata: the one table of problems (a file and what is wrong with it) the UI shows.

Reasons name files and problems, never content, so the table is safe to show. Long lists are cut at
``limit`` rows with a line saying how many more there are.
"""

from __future__ import annotations

from typing import Iterable


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def problems_table(problems: Iterable[tuple[str, str]], limit: int = 200) -> str:
    """``| file | problem |`` with one row per (path, reason)."""
    problems = list(problems)
    rows = [f"| `{_cell(path)}` | {_cell(reason)} |" for path, reason in problems[:limit]]
    more = f"\n\n…and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(["| file | problem |", "|---|---|", *rows]) + more
