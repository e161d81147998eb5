"""Import a project's own Python code (custom actions, `module.Class` components, policies
and channels) by file path, under a module name of that project's own.

Two projects loaded into one process (tests, a server hosting several assistants) never
collide, and a project's `actions/__init__.py` that says `from actions import mine` gets
its own `actions/mine.py`, not the example's `actions` package that sits beside cli.py:
while the project's code is imported, the names of its top-level modules and packages
(`actions`, a `helpers.py` beside it) point at its folder, as if the folder were on
sys.path (Rasa puts it there). Two limits, both said here because they are not obvious:
  * Switchboard's own packages (`core`, `nlu`, `policies`, … `FRAMEWORK`) keep their
    names: a project folder named like one is imported under the project's prefix, and
    `from policies.registry import PolicyData` inside it still means Switchboard's;
  * the names point at the project only while its code is being imported: an import
    inside a function that runs later sees the process's own modules, so import at module
    level, or relatively (`from . import mine`).
Imports are serialised by one lock; do not import a project while other threads import
modules of the same top-level names.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

from core.errors import SwitchboardError

_LOCK = threading.RLock()
FRAMEWORK = ("core", "project", "stores", "nlu", "knowledge", "policies", "responses",
             "dialogue", "channels", "assistant", "server")


class ProjectCodeError(SwitchboardError):
    """The project's own Python code could not be imported (the message has file:line)."""


def project_prefix(root: Path) -> str:
    """The module-name prefix of one project's code (`_sb_<hash of its folder>`)."""
    digest = hashlib.sha1(str(Path(root).resolve()).encode()).hexdigest()[:12]
    return f"_sb_{digest}"


def import_project_module(root: Path, dotted: str) -> ModuleType:
    """The project's module `dotted` (`actions`, `components.sentiment`), from its folder."""
    root = Path(root).resolve()
    prefix = project_prefix(root)
    full = f"{prefix}.{dotted}"
    with _LOCK:
        if full in sys.modules:
            return sys.modules[full]
        _ensure_package(prefix, root)
        try:
            with _own_names(prefix, _top_level_names(root)):
                module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == full or full.startswith(exc.name + ".")):
                raise ProjectCodeError(
                    f"{root}: no module '{dotted}' (looked for {dotted.replace('.', '/')}.py "
                    f"or {dotted.replace('.', '/')}/__init__.py)") from None
            raise _located(exc, root) from None
        except SwitchboardError:
            raise
        except Exception as exc:  # noqa: BLE001 - user code: report where it broke
            raise _located(exc, root) from None
        return module


def import_project_class(root: Path, dotted: str) -> Any:
    """`module.Class` from the project folder."""
    module_name, _, attr = dotted.rpartition(".")
    module = import_project_module(root, module_name)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ProjectCodeError(f"{module.__file__}: no '{attr}' in module '{module_name}'") from None


def project_source(root: Path, dotted: str) -> str:
    """The text of a project module (`pkg.mod` -> pkg/mod.py or pkg/mod/__init__.py), for
    fingerprints; '' if there is none."""
    base = Path(root) / dotted.replace(".", "/")
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return ""


def _ensure_package(prefix: str, root: Path) -> None:
    if prefix not in sys.modules:
        package = ModuleType(prefix)
        package.__path__ = [str(root)]  # type: ignore[attr-defined]
        sys.modules[prefix] = package


def _top_level_names(root: Path) -> tuple[str, ...]:
    """The project's own top-level module and package names (not Switchboard's)."""
    names = {p.stem for p in root.glob("*.py")} | {p.parent.name for p in root.glob("*/__init__.py")}
    return tuple(sorted(n for n in names if n.isidentifier() and n not in FRAMEWORK))


@contextmanager
def _own_names(prefix: str, tops: tuple[str, ...]) -> Iterator[None]:
    """While importing, `import top` / `from top import x` inside the project's code resolve
    to the project's own `top` (an alias of `prefix.top`), for each of `tops`; then the
    process's own modules of those names come back."""
    def ours(name: str) -> bool:
        return any(name == top or name.startswith(top + ".") for top in tops)

    saved = {name: mod for name, mod in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    finder = _AliasFinder(tops, prefix)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)


class _AliasFinder:
    """Resolves `top[.sub]`, for each of the project's `tops`, to `prefix.top[.sub]`."""

    def __init__(self, tops: tuple[str, ...], prefix: str) -> None:
        self.tops, self.prefix = tops, prefix

    def find_spec(self, name: str, path=None, target=None):  # noqa: ANN001 - importlib protocol
        if name.split(".")[0] not in self.tops:
            return None
        real = importlib.import_module(f"{self.prefix}.{name}")
        return importlib.util.spec_from_loader(name, _AliasLoader(real))


class _AliasLoader:
    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, spec):  # noqa: ANN001 - importlib protocol
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        return None


def _located(exc: BaseException, root: Path) -> ProjectCodeError:
    """The error at the project's own file and line: a SyntaxError's, else the innermost
    traceback frame in the project folder (not importlib's, not a library's)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{exc.filename}:{exc.lineno}: "
    else:
        frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
        mine = [f for f in frames if Path(f.filename).resolve().is_relative_to(root)]
        frame = (mine or frames or [None])[-1]
        where = f"{frame.filename}:{frame.lineno}: " if frame else ""
    return ProjectCodeError(f"{where}importing the project's code failed: {type(exc).__name__}: {exc}")
