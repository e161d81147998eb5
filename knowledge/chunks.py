"""Split knowledge documents (markdown or text) into passages with stable ids.

One passage per `##` section (or per blank-line paragraph in a file without sections):
id `returns#return-window` (file stem + heading slug; ids are unique across the folder,
a repeated one gets `-2`), the document title, the section heading, its text, the file:line
it starts at, for citations, and its language.

A document's language is its front matter's `lang:` (a `---` block opening the file,
`---\nlang: zh\n---`), else the nearest folder named by a language code
(`data/knowledge/zh/returns.md`, `zh-CN/`), else None: the project's default language
(config.yml `language`). A front matter that cannot be read, or a `lang:` that is no
language code, fails `train` with file:line, all such files at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.errors import Problem, ProjectInvalid

SUFFIXES = (".md", ".txt")
LANGUAGE_CODE = re.compile(r"^[a-z]{2}([-_][A-Za-z]{2,4})?$")  # zh, zh-CN, pt_BR, zh-Hans
FENCE = "---"


@dataclass(frozen=True)
class Passage:
    id: str
    title: str  # the document's `#` title (or file name)
    heading: str
    text: str
    source: str  # file:line
    language: str | None = None  # None: the project's default language

    @property
    def for_embedding(self) -> str:
        return f"{self.heading}. {self.text}"


def slug(text: str) -> str:
    """`Return window` -> `return-window`; letters of any script stay (`退货期限`)."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-") or "section"


def load_passages(folder: Path, root: Path | None = None) -> list[Passage]:
    passages: list[Passage] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for path in sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        shown = str(path.relative_to(root) if root else path)
        text = path.read_text(encoding="utf-8")
        marked, text = front_matter(text, shown, problems)
        language = marked or folder_language(path, folder)
        passages += split_document(text, path.stem, shown, language, seen)
    if any(p.severity == "error" for p in problems):
        raise ProjectInvalid(problems)
    return passages


def folder_language(path: Path, folder: Path) -> str | None:
    """The nearest folder between `folder` and the file named by a language code."""
    for part in reversed(path.relative_to(folder).parts[:-1]):
        if LANGUAGE_CODE.match(part):
            return part
    return None


def front_matter(text: str, shown: str, problems: list[Problem]) -> tuple[str | None, str]:
    """(the `lang:` of a `---` block opening the document, the text with that block blanked
    out, so the line numbers of citations stay right)."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != FENCE:
        return None, text
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in (FENCE, "...")), None)
    if end is None:
        problems.append(Problem(shown, 1, "front matter", "the `---` block is not closed by `---`"))
        return None, text
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        problems.append(Problem(shown, 1, "front matter", f"is not YAML: {exc}"))
        meta = {}
    if not isinstance(meta, dict):
        problems.append(Problem(shown, 1, "front matter", "must be `key: value` lines"))
        meta = {}
    language = meta.get("lang", meta.get("language"))
    line = next((i + 1 for i in range(1, end) if lines[i].lstrip().startswith("lang")), 1)
    if language is not None and not (isinstance(language, str) and LANGUAGE_CODE.match(language)):
        problems.append(Problem(shown, line, "lang", f"must be a language code such as zh or "
                                                    f"zh-CN, got {language!r}"))
        language = None
    return language, "\n" * (end + 1) + "\n".join(lines[end + 1:])


def split_document(text: str, stem: str, shown: str, language: str | None = None,
                   seen: set[str] | None = None) -> list[Passage]:
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
    passages: list[Passage] = []
    seen = set() if seen is None else seen
    for heading, line, body in sections:
        content = " ".join(" ".join(_prose(body)).split())
        if not content:
            continue
        pid = f"{stem}#{slug(heading or title)}"
        while pid in seen:
            pid += "-2"
        seen.add(pid)
        passages.append(Passage(pid, title, heading or title, content, f"{shown}:{line}", language))
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
