"""Import a project's own Python code (custom actions, `module.Class` components, policies
and channels) by file path, under a module name of that project's own.

Two projects loaded into one process (tests, a server hosting several assistants) never
collide, and a project's `actions/__init__.py` that says `from actions import mine` gets
its own `actions/mine.py`, not the example's `actions` package that sits beside cli.py:
while the project's code is imported, its top-level package names point at its folder.
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
            with _own_names(root, prefix, dotted.split(".")[0]):
                module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == full or full.startswith(exc.name + ".")):
                raise ProjectCodeError(
                    f"{root}: no module '{dotted}' (looked for {dotted.replace('.', '/')}.py "
                    f"or {dotted.replace('.', '/')}/__init__.py)") from None
            raise _located(exc) from None
        except SwitchboardError:
            raise
        except Exception as exc:  # noqa: BLE001 - user code: report where it broke
            raise _located(exc) from None
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


@contextmanager
def _own_names(root: Path, prefix: str, top: str) -> Iterator[None]:
    """While importing, `import top` / `from top import x` inside the project's code resolve
    to the project's own `top` package (an alias of `prefix.top`), then the process's own
    modules of that name come back."""
    saved = {name: mod for name, mod in sys.modules.items()
             if name == top or name.startswith(top + ".")}
    for name in saved:
        del sys.modules[name]
    finder = _AliasFinder(top, prefix)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)


class _AliasFinder:
    """Resolves `top[.sub]` to the already-importable `prefix.top[.sub]`."""

    def __init__(self, top: str, prefix: str) -> None:
        self.top, self.prefix = top, prefix

    def find_spec(self, name: str, path=None, target=None):  # noqa: ANN001 - importlib protocol
        if name != self.top and not name.startswith(self.top + "."):
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


def _located(exc: BaseException) -> ProjectCodeError:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}: " if frame else ""
    return ProjectCodeError(f"{where}importing the project's code failed: {type(exc).__name__}: {exc}")
