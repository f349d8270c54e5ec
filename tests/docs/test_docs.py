"""The README and the guides in docs/: links that resolve, one word per concept, a README that stays short."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.localpg import REPO

README = REPO / "README.md"
GUIDES = sorted((REPO / "docs").glob("*.md"))
MAX_README_LINES = 300

# Guides written on other branches, linked from the README before they land. A link to one of
# these passes while the file is missing; once it exists, its anchors are checked like any other.
FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose(markdown: str) -> str:
    """The text outside fenced code blocks: a bracket in a code sample is not a link."""
    return FENCE.sub("", markdown)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lowercased, without punctuation but `-`
    and `_`, spaces turned into hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(prose(path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in LINK.findall(CODE_SPAN.sub("", prose(path.read_text()))):
        if SCHEME.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor in {linked.relative_to(REPO)}")
    return broken


@pytest.mark.parametrize("path", [README, *GUIDES], ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_resolves(path: Path) -> None:
    assert broken_links(path) == []


def test_the_five_guides_exist() -> None:
    names = {path.name for path in GUIDES}
    assert {"sql.md", "http.md", "operations.md", "performance.md", "reliability.md"} <= names


def test_readme_stays_short() -> None:
    assert len(README.read_text().splitlines()) <= MAX_README_LINES


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Scheduling pgq.maintain() with pg_cron", "scheduling-pgqmaintain-with-pg_cron"),
        ("Delivery: dequeue or lease", "delivery-dequeue-or-lease"),
        ("A short tour of the `pgq` API", "a-short-tour-of-the-pgq-api"),
    ],
)
def test_anchors_follow_github(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_code_blocks_hold_neither_links_nor_headings(tmp_path: Path) -> None:
    """A shell comment in a code sample is not a heading, and a bracket there is not a link."""
    guide = tmp_path / "guide.md"
    guide.write_text("# Title\n\n```bash\n# a comment\necho '[x](missing.md)'\n```\n")
    assert anchors(guide) == {"title"}
    assert broken_links(guide) == []


# The README's vocabulary picks one word per concept; these are the synonyms it retired.
RETIRED_WORDS = {
    r"\bpop(s|ped|ping)?\b": "dequeue",
    r"\bconsum(e|es|ing)\b": "dequeue (or `consumed`, the state after a dequeue or an ack)",
    r"\bbur(y|ies|ied|ying)\b": "dead letter",
    r"\bthe spec\b": "the original pgQueue app's README",
}


@pytest.mark.parametrize("path", [README, *GUIDES], ids=lambda path: str(path.relative_to(REPO)))
def test_docs_use_one_word_per_concept(path: Path) -> None:
    text = path.read_text()
    found = [f"{match.group(0)!r}: say {word}" for pattern, word in RETIRED_WORDS.items()
             for match in re.finditer(pattern, text, re.IGNORECASE)]
    assert found == []
