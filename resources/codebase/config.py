"""Which codebases to snapshot: name, path, extra excludes (framework-free).

Default: the JSON list in the `MIRA_CODEBASES` environment variable, e.g.
`[{"name": "mira", "path": "/srv/mira", "excludes": ["*.log", "data/"]}]`; when it is
unset, this project's own repository as "mira-storage".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from resources.codebase.store import NAME_RESERVED_BYTES, CodebaseError, safe_name

ENV_VAR = "MIRA_CODEBASES"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CodebaseSpec:
    name: str
    path: Path
    excludes: tuple[str, ...] = field(default_factory=tuple)


def parse_codebases(items: Sequence[Mapping]) -> list[CodebaseSpec]:
    out: list[CodebaseSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or "path" not in item:
            raise CodebaseError(f"codebase #{i + 1}: needs at least a 'path'")
        path = Path(str(item["path"])).expanduser()
        name = safe_name(str(item.get("name") or path.resolve().name), f"codebase #{i + 1} name", NAME_RESERVED_BYTES)
        if name in seen:
            raise CodebaseError(f"codebase name {name!r} is listed twice")
        seen.add(name)
        excludes = item.get("excludes") or []
        if isinstance(excludes, str) or not all(isinstance(x, str) for x in excludes):
            raise CodebaseError(f"codebase {name!r}: 'excludes' must be a list of patterns")
        out.append(CodebaseSpec(name=name, path=path, excludes=tuple(excludes)))
    return out


def default_codebases(environ: Mapping[str, str] = os.environ) -> list[CodebaseSpec]:
    raw = environ.get(ENV_VAR, "").strip()
    if raw:
        try:
            items = json.loads(raw)
        except ValueError:
            raise CodebaseError(f"{ENV_VAR} is not valid JSON (expected a list of {{name, path, excludes}})") from None
        if not isinstance(items, list):
            raise CodebaseError(f"{ENV_VAR} must be a JSON list of {{name, path, excludes}}")
        return parse_codebases(items)
    return [CodebaseSpec(name="mira-storage", path=PROJECT_ROOT)]
