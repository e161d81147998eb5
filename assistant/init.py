"""`python cli.py init DIR`: a new, minimal assistant project to start from.

    written = init_project(Path("mybot"))          # refuses a folder that is not empty
    written = init_project(Path("mybot"), force=True)

The project is a copy of the real files in assistant/templates/init/ (a small moodbot-like
support assistant, like `rasa init`'s): it validates, trains and chats as it is.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from core.errors import SwitchboardError

TEMPLATE = Path(__file__).resolve().parent / "templates" / "init"
SKIPPED = ("__pycache__", ".pyc")


class InitError(SwitchboardError):
    pass


def template_files() -> list[Path]:
    """The template's files, relative to TEMPLATE, in a stable order."""
    return sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*")
                  if p.is_file() and not any(part.endswith(SKIPPED) for part in p.parts))


def init_project(target: Path, *, force: bool = False) -> list[Path]:
    """Copy the starter project into `target`; return the files written (under `target`).

    `target` may be missing or an empty folder. A non-empty one is refused unless `force`,
    in which case the template's files overwrite theirs and every other file is left alone.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} is a file, not a folder; choose another name for the project.")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InitError(
            f"{target} is not empty; refusing to write a new project over it. Choose an empty "
            "or new folder, or pass --force to overwrite the starter files in it.")
    written = []
    for relative in template_files():
        destination = target / relative
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(TEMPLATE / relative, destination)
        except OSError as exc:
            raise InitError(f"could not write {destination}: {exc.strerror or exc}") from None
        written.append(destination)
    return written
