"""Split knowledge documents (markdown or text) into passages with stable ids.

One passage per `##` section (or per blank-line paragraph in a file without sections):
id `returns#return-window` (file stem + heading slug), the document title, the section
heading, its text, and the file:line it starts at, for citations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class Passage:
    id: str
    title: str  # the document's `#` title (or file name)
    heading: str
    text: str
    source: str  # file:line

    @property
    def for_embedding(self) -> str:
        return f"{self.heading}. {self.text}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def load_passages(folder: Path, root: Path | None = None) -> list[Passage]:
    passages: list[Passage] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        shown = path.relative_to(root) if root else path
        passages += split_document(path.read_text(encoding="utf-8"), path.stem, str(shown))
    return passages


def split_document(text: str, stem: str, shown: str) -> list[Passage]:
    lines = text.splitlines()
    title = stem.replace("_", " ").replace("-", " ").capitalize()
    sections: list[tuple[str, int, list[str]]] = []  # (heading, line, body lines)
    for number, line in enumerate(lines, start=1):
        if line.startswith("# "):
            title = line[2:].strip()
        elif line.startswith("## "):
            sections.append((line[3:].strip(), number, []))
        elif sections:
            sections[-1][2].append(line)
        elif line.strip():
            sections.append(("", number, [line]))  # text before any section: its own passage
    passages, seen = [], set()
    for heading, line, body in sections:
        content = " ".join(" ".join(_prose(body)).split())
        if not content:
            continue
        pid = f"{stem}#{slug(heading or title)}"
        while pid in seen:
            pid += "-2"
        seen.add(pid)
        passages.append(Passage(pid, title, heading or title, content, f"{shown}:{line}"))
    return passages


def _prose(lines: list[str]) -> list[str]:
    """Markdown tables and lists as sentences, so each fact can be quoted on its own:
    `| Norway | $12.95 | $29.95 |` under `| Destination | Standard | Express |` becomes
    `Norway: Standard $12.95; Express $29.95.`"""
    out: list[str] = []
    header: list[str] | None = None
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue  # the |---|---| separator
            if header is None:
                header = cells
                continue
            pairs = [f"{h} {c}".strip() for h, c in zip(header[1:], cells[1:])]
            out.append(f"{cells[0]}: {'; '.join(pairs)}.")
            continue
        header = None
        if stripped.startswith(("- ", "* ")):
            item = stripped[2:].strip()
            out.append(item if item.endswith((".", "!", "?", ":")) else item + ".")
        else:
            out.append(line)
    return out
