"""Load a whole assistant project (domain.yml, config.yml, data/, tests/) and validate it.

    project = load_project(Path("."))        # raises ProjectInvalid listing every error
    project.domain, project.data, project.tests, project.config, project.warnings

Pass 1 parses every file and checks its shape; pass 2 (`project.validate`) checks the
names used across files. Pass 2 is skipped only when a file could not be read at all,
since its names would all look undeclared.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from project.checks import FileChecker
from project.config import ProjectConfig, parse_config
from project.data_parser import parse_data
from core.domain import Domain
from project.domain_parser import parse_domain, parse_response
from core.errors import Problem, ProjectInvalid
from core.training_data import TrainingData
from project.validate import cross_check
from project.yaml_loader import display_path, load_yaml

YAML_SUFFIXES = (".yml", ".yaml")


@dataclass
class Project:
    root: Path
    domain: Domain
    config: ProjectConfig
    data: TrainingData
    tests: TrainingData
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


STATE_DIR = ".switchboard"  # what running assistants write: conversations, the handoff queue


def state_path(root: Path, name: str) -> Path:
    """A file under the project's state folder, e.g. `state_path(root, "handoffs.sqlite")`."""
    return Path(root) / STATE_DIR / name


def bot_texts_as_responses(stories: list, domain: Domain, problems: list) -> list:
    """An end-to-end `bot: text` step is the response that says that text (case and spacing
    aside), as an `action:` step; a text no response says is warned and left as it is (it
    is skipped in training, shown in test replays)."""
    said = {}
    for name, variations in domain.responses.items():
        for variation in variations:
            said.setdefault(" ".join(variation.text.lower().split()), name)

    def step_of(step):
        if step.kind == "or" and step.alternatives:
            return replace(step, alternatives=tuple(step_of(s) for s in step.alternatives))
        if step.kind != "bot":
            return step
        name = said.get(" ".join(step.name.lower().split()))
        if name is None:
            where = step.source
            problems.append(Problem(where.file if where else "", where.line if where else 0, "bot",
                                    f"no response says '{step.name}': this bot step is not "
                                    "learnt (add it to responses: in the domain)", "warning"))
            return step
        return replace(step, kind="action", name=name)

    return [replace(story, steps=tuple(step_of(s) for s in story.steps))
            if any(s.kind in ("bot", "or") for s in story.steps) else story for story in stories]


def load_project(root: Path, *, strict: bool = True) -> Project:
    """Load and validate the project in `root`; with `strict`, raise if anything is wrong."""
    root = Path(root)
    problems: list[Problem] = []
    unreadable = False

    def load(path: Path):
        nonlocal unreadable
        value, found = load_yaml(path)
        problems.extend(found)
        unreadable |= value is None and bool(found)
        return value, FileChecker(display_path(path))

    domain_files = domain_paths(root)
    domain, domain_name = Domain(), display_path(root / "domain.yml")
    if not domain_files:
        problems.append(Problem(domain_name, 0, "", "not found; every project needs a domain.yml "
                                "(or a domain/ folder of YAML files)"))
        unreadable = True
    merged = Domain() if len(domain_files) > 1 else None
    for path in domain_files:
        value, check = load(path)
        if value is not None:
            domain = parse_domain(value, check, merged)
        problems.extend(check.problems)
    domain = merged if merged is not None else domain
    if len(domain_files) == 1:
        domain_name = display_path(domain_files[0])
    elif domain_files:
        domain_name = display_path(domain_files[0].parent)

    config = ProjectConfig()
    config_path = root / "config.yml"
    if config_path.exists():
        value, check = load(config_path)
        config = parse_config(value, check) if value is not None else config
        problems.extend(check.problems)

    data = _load_dir(root / "data", load, problems, domain, test_files=False)
    tests = _load_dir(root / "tests", load, problems, domain, test_files=True)
    if not data.examples and not unreadable:
        problems.append(Problem(display_path(root / "data"), 0, "",
                                "no NLU examples found; add data/nlu.yml"))
    if not unreadable:
        for stories in (data.stories, data.rules, tests.stories, tests.rules):
            stories[:] = bot_texts_as_responses(stories, domain, problems)
        problems.extend(cross_check(domain, domain_name, data, tests))
    project = Project(root, domain, config, data, tests, problems)
    if strict and project.errors:
        raise ProjectInvalid(problems)
    return project


def domain_paths(root: Path) -> list[Path]:
    """The domain's files: domain.yml, else every YAML file of a domain/ folder (Rasa merges
    them; so does `parse_domain`), in name order."""
    single = Path(root) / "domain.yml"
    if single.is_file():
        return [single]
    for folder in (Path(root) / "domain", single):  # `domain.yml` may itself be a folder
        if folder.is_dir():
            return sorted(p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    return []


def _load_dir(folder: Path, load, problems: list[Problem], domain: Domain,
              test_files: bool) -> TrainingData:
    """Every YAML file directly in `folder` (data/ also recursively, like Rasa)."""
    merged = TrainingData()
    if not folder.is_dir():
        return merged
    files = folder.glob("*") if test_files else folder.rglob("*")
    for path in sorted(p for p in files if p.suffix in YAML_SUFFIXES and p.is_file()):
        value, check = load(path)
        if value is None:
            continue
        data, responses = parse_data(value, check, test_file=test_files)
        for name, variations in responses.items():
            parse_response(name, variations, responses.line_of(name), domain, check)
        problems.extend(check.problems)
        merged.merge(data)
    return merged
