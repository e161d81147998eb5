"""Rich console output for training: a progress bar with loss and dev scores,
one line per epoch (so tuning runs can be read afterwards) and a summary table."""
from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nlu.report import EpochScores, TrainReport


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


class TrainProgress:
    """Progress bar over optimizer steps; a no-op when `show` is False."""

    def __init__(self, total_steps: int, show: bool) -> None:
        self.show = show
        self.progress = Progress(
            TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"), TimeElapsedColumn(), transient=False,
        )
        self.task = self.progress.add_task("train", total=total_steps, status="")
        self.dev = ""

    def __enter__(self) -> "TrainProgress":
        if self.show:
            self.progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.show:
            self.progress.stop()

    def step(self, loss: float) -> None:
        if self.show:
            self.progress.update(self.task, advance=1, status=f"loss {loss:.4f}{self.dev}")

    def epoch_done(self, s: EpochScores, epochs: int) -> None:
        if not self.show:
            return
        if s.dev_intent_accuracy is not None:
            self.dev = f" | dev intent {_pct(s.dev_intent_accuracy)} entity F1 {_pct(s.dev_entity_f1)}"
        self.progress.console.print(
            f"epoch {s.epoch}/{epochs}  loss {s.loss:.4f}  dev intent acc "
            f"{_pct(s.dev_intent_accuracy)}  dev entity F1 {_pct(s.dev_entity_f1)}  ({s.seconds:.1f}s)"
        )


def print_summary(report: TrainReport, console: Console | None = None) -> None:
    """A table of what was trained, how long it took and how good it is on dev."""
    table = Table(title="NLU training summary", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    best = report.best
    rows = [
        ("model", str(report.model_dir)),
        ("device", report.device),
        ("train / dev examples", f"{report.train_examples} / {report.dev_examples}"),
        ("epochs run (best)", f"{report.epochs_run} ({report.best_epoch})"),
        ("optimizer steps", str(report.steps)),
        ("stopped because", report.stopped_because),
        ("training time", f"{report.train_seconds:.1f}s"),
        ("dev intent accuracy", _pct(best.dev_intent_accuracy) + (
            f" (TF-IDF baseline {_pct(report.baseline_intent_accuracy)})"
            if report.baseline_intent_accuracy is not None else "")),
        ("dev entity F1", _pct(best.dev_entity_f1)),
        ("fingerprint", report.fingerprint[:16]),
    ]
    for key, value in rows:
        table.add_row(key, value)
    (console or Console()).print(table)
