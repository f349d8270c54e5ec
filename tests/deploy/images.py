"""What a Dockerfile would put in its image, reproduced without a Docker engine.

The tests cannot build images here, so they rebuild the part that matters: the
files each COPY instruction takes from the repository, in a scratch folder,
and the exact command the image runs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support.localpg import REPO


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined."""
    joined = dockerfile.read_text().replace("\\\n", " ")
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def exec_form(dockerfile: Path, keyword: str) -> list[str]:
    """The JSON (exec) form of the last CMD or ENTRYPOINT."""
    found = [rest for kind, rest in instructions(dockerfile) if kind == keyword]
    assert found, f"{dockerfile} has no {keyword}"
    command = json.loads(found[-1])
    assert isinstance(command, list) and all(isinstance(part, str) for part in command)
    return command


def copy_build_files(dockerfile: Path, workdir: Path) -> None:
    """Copy into WORKDIR what the Dockerfile's COPY instructions take from the build context (the root)."""
    for kind, rest in instructions(dockerfile):
        if kind != "COPY":
            continue
        *sources, destination = rest.split()
        assert not any(source.startswith("--") for source in sources), "COPY flags are not reproduced here"
        target = workdir / destination
        for source in sources:
            origin = REPO / source
            if origin.is_dir():
                shutil.copytree(origin, target, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "Dockerfile"))
            else:
                (target if destination.endswith("/") else target.parent).mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target / origin.name if destination.endswith("/") else target)
