"""Switchboard against a Rasa 3.6 install, on the same project and the same load, in one run.

    python bench/compare_rasa.py --rasa /tmp/rasa36/bin/rasa [-p ../shared/rasa-projects/moodbot]
        [--senders 1,8,64] [--messages 400] [--requests 200] [--json FILE]

Each system works on its own fresh temporary copy of the project (the original is only
read), one system after the other, never both at once:

  train    cold training (`cli.py train --force`, `rasa train`; no earlier model or cache in
           the copy): wall time, and peak RSS of the training process tree (the sum of VmRSS
           over the process and its descendants, polled every 50 ms; at least the largest
           single process's ru_maxrss)
  serve    `cli.py run --store memory://` / `rasa run --enable-api` (its in-memory tracker
           store): seconds from launch to the first answered REST webhook message, then the
           server tree's VmRSS after the parse requests and again after the load
  parse    `--requests` sequential `POST /model/parse` over HTTP after 20 warm-ups: p50/p99
  load     `bench/load.py`'s closed loop at each `--senders` level (`--messages` webhook
           messages in all per level, after a warm-up level): msg/s, p50/p99, bot messages
           per reply and the share of empty replies

The customer messages are the project's test stories' (as `bench/load.py --project` sends
them), else bench/load.py's support conversation; both systems get the same list. The
table shows both systems' figures and by how much Switchboard is better (×; below 1:
worse). Rasa's server and training logs go to files in the temporary folder; their tail
is printed when something fails.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.load import post, project_messages, run_level  # noqa: E402
from bench.procs import free_port, tree_pids, tree_rss_mb  # noqa: E402

WARMUPS = 20
# metric -> True when higher is better (the ratio is then switchboard / rasa)
HIGHER_BETTER = {"per_second"}
NO_RATIO = {"bot_per_reply", "unanswered", "messages", "senders", "seconds"}


class Failed(Exception):
    """A step of one system failed; the message says which, with its log's tail."""


# --- pure helpers (the table) ----------------------------------------------------------

def ratio(metric: str, switchboard: float | None, rasa: float | None) -> float | None:
    """How many times Switchboard is better on `metric` (> 1: better, < 1: worse)."""
    if metric in NO_RATIO or not switchboard or not rasa:
        return None
    return switchboard / rasa if metric in HIGHER_BETTER else rasa / switchboard


def fmt(value: float | None, metric: str = "") -> str:
    if value is None:
        return "—"
    if metric == "unanswered":
        return f"{value:.0%}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:,.0f}"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"×{value:.2f}" if value < 10 else f"×{value:.0f}"


ROWS = [("train_s", "train wall s"), ("train_peak_rss_mb", "train peak RSS MB"),
        ("first_answer_s", "launch → 1st answer s"), ("serve_rss_mb", "serve RSS MB, after parse"),
        ("serve_rss_after_load_mb", "serve RSS MB, after load"),
        ("parse_p50_ms", "/model/parse p50 ms"), ("parse_p99_ms", "/model/parse p99 ms")]
LEVEL_ROWS = [("per_second", "msg/s"), ("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"),
              ("bot_per_reply", "bot msgs/reply"), ("unanswered", "empty replies")]


def table_rows(sb: dict, rasa: dict) -> list[tuple[str, str, str, str]]:
    """(label, Switchboard, Rasa, Switchboard better by) for every figure of both results."""
    rows = []
    for key, label in ROWS:
        rows.append((label, fmt(sb.get(key)), fmt(rasa.get(key)),
                     fmt_ratio(ratio(key, sb.get(key), rasa.get(key)))))
    rasa_levels = {level["senders"]: level for level in rasa.get("load", [])}
    for level in sb.get("load", []):
        other = rasa_levels.get(level["senders"], {})
        for key, label in LEVEL_ROWS:
            senders = f"{level['senders']} sender" + ("s" if level["senders"] > 1 else "")
            rows.append((f"{senders}: {label}", fmt(level[key], key),
                         fmt(other.get(key), key), fmt_ratio(ratio(key, level[key], other.get(key)))))
    return rows


def results_table(results: dict) -> Table:
    sb, rasa = results["switchboard"], results["rasa"]
    version = results["rasa_version"]
    rasa_short = version.splitlines()[0].split(":")[-1].strip() if version else "?"
    table = Table(title=f"{Path(results['project']).name}: Switchboard vs Rasa {rasa_short} "
                        f"({len(results['messages'])} customer messages, {results['machine']})",
                  caption="better by: Rasa / Switchboard for seconds, MB and ms; Switchboard / "
                          "Rasa for msg/s (below 1: Switchboard is worse)")
    table.add_column("figure")
    table.add_column("Switchboard", justify="right")
    table.add_column(f"Rasa {rasa_short}", justify="right")
    table.add_column("SB better by", justify="right")
    for row in table_rows(sb, rasa):
        table.add_row(*row)
    return table


# --- processes ---------------------------------------------------------------------------

def tail(log: Path, lines: int = 40) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {log})"
    return "\n".join(text[-lines:])


def timed_training(command: list[str], cwd: Path, env: dict, log: Path, timeout: float) -> dict:
    """Wall seconds and peak RSS (MB) of the process tree of `command`."""
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        peak = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss_mb(proc.pid))
            if time.perf_counter() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise Failed(f"training ran past {timeout:.0f} s\n{tail(log)}")
            time.sleep(0.05)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise Failed(f"training exited with {proc.returncode}: {' '.join(command)}\n{tail(log)}")
    return {"train_s": wall, "train_peak_rss_mb": max(peak, usage.ru_maxrss / 1024)}


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def serve_and_load(command: list[str], cwd: Path, env: dict, log: Path, port: int,
                   messages: list[str], senders: list[int], n_messages: int, n_requests: int,
                   tag: str) -> dict:
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        started = time.perf_counter()
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        while True:
            if server.poll() is not None:
                raise Failed(f"the server exited ({server.returncode}) before answering\n{tail(log)}")
            if time.perf_counter() - started > 300:
                raise Failed(f"the server did not answer in 300 s\n{tail(log)}")
            try:
                if post(f"{url}/webhooks/rest/webhook", f"{tag}-first", messages[0])[1]:
                    break
            except OSError:  # not listening yet (or 5xx while loading)
                pass
            time.sleep(0.05)
        result: dict = {"first_answer_s": time.perf_counter() - started}
        http = requests.Session()
        times = []
        try:
            for i in range(WARMUPS + n_requests):
                t0 = time.perf_counter()
                http.post(f"{url}/model/parse", json={"text": messages[i % len(messages)]},
                          timeout=30).raise_for_status()
                if i >= WARMUPS:
                    times.append((time.perf_counter() - t0) * 1000)
        except requests.RequestException as exc:
            raise Failed(f"/model/parse failed: {exc}\n{tail(log)}") from None
        times.sort()
        result.update(parse_p50_ms=statistics.median(times),
                      parse_p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))],
                      serve_rss_mb=tree_rss_mb(server.pid), serve_processes=len(tree_pids(server.pid)))
        try:
            run_level(f"{url}/webhooks/rest/webhook", 4, 40, f"{tag}-warmup")
            result["load"] = [run_level(f"{url}/webhooks/rest/webhook", level, n_messages, f"{tag}-s{level}")
                              for level in senders]
        except OSError as exc:
            raise Failed(f"the webhook load failed: {exc}\n{tail(log)}") from None
        result["serve_rss_after_load_mb"] = tree_rss_mb(server.pid)
        return result
    finally:
        stop(server)


# --- the two systems ---------------------------------------------------------------------

def fresh_copy(project: Path, into: Path) -> Path:
    shutil.copytree(project, into, ignore=shutil.ignore_patterns("models", ".rasa", ".switchboard"))
    for path in [into, *into.rglob("*")]:  # the original may be read-only
        path.chmod(path.stat().st_mode | 0o200)
    return into


def run_switchboard(project: Path, work: Path, opts, messages: list[str]) -> dict:
    copy = fresh_copy(project, work / "switchboard")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("SWITCHBOARD_STORE", None)
    cli = [sys.executable, str(ROOT / "cli.py")]
    print("Switchboard: training…", file=sys.stderr)
    result = timed_training([*cli, "train", "-p", str(copy), "--force"], ROOT, env,
                            work / "switchboard-train.log", opts.train_timeout)
    print(f"Switchboard: trained in {result['train_s']:.1f} s; serving…", file=sys.stderr)
    port = free_port()
    result.update(serve_and_load([*cli, "run", "-p", str(copy), "--port", str(port), "--store", "memory://"],
                                 ROOT, env, work / "switchboard-run.log", port, messages,
                                 opts.senders, opts.messages, opts.requests, "sb"))
    return result


def rasa_env() -> dict:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore"}


def rasa_version(rasa: Path) -> str:
    """`rasa --version`'s output, or SystemExit with one line when it cannot be run."""
    if not rasa.is_file() or not os.access(rasa, os.X_OK):
        raise SystemExit(f"--rasa {rasa}: no such executable (install Rasa 3.6 in a venv, "
                         "e.g. `python3.10 -m venv /tmp/rasa36 && /tmp/rasa36/bin/pip install "
                         "'rasa==3.6.*'`, and pass /tmp/rasa36/bin/rasa)")
    try:
        done = subprocess.run([str(rasa), "--version"], capture_output=True, text=True, timeout=300,
                              env=rasa_env(), cwd=tempfile.gettempdir())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SystemExit(f"--rasa {rasa}: cannot run it ({exc})") from None
    if done.returncode:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise SystemExit(f"--rasa {rasa}: `rasa --version` exited with {done.returncode}: {last}")
    return done.stdout.strip()


def run_rasa(rasa: Path, project: Path, work: Path, opts, messages: list[str]) -> dict:
    copy = fresh_copy(project, work / "rasa")
    env = rasa_env()
    print("Rasa: training…", file=sys.stderr)
    result = timed_training([str(rasa), "train", "--out", "models"], copy, env,
                            work / "rasa-train.log", opts.train_timeout)
    print(f"Rasa: trained in {result['train_s']:.1f} s; serving…", file=sys.stderr)
    port = free_port()
    result.update(serve_and_load([str(rasa), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port),
                                  "-m", "models"], copy, env, work / "rasa-run.log", port, messages,
                                 opts.senders, opts.messages, opts.requests, "rasa"))
    return result


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--rasa", type=Path, required=True, help="the `rasa` executable of a Rasa 3.6 install")
    args.add_argument("-p", "--project", type=Path, default=ROOT.parent / "shared" / "rasa-projects" / "moodbot")
    args.add_argument("--senders", default="1,8,64", help="webhook concurrency levels (default 1,8,64)")
    args.add_argument("--messages", type=int, default=400, help="webhook messages per level (default 400)")
    args.add_argument("--requests", type=int, default=200, help="timed /model/parse requests (default 200)")
    args.add_argument("--train-timeout", type=float, default=3600, help="seconds per training (default 3600)")
    args.add_argument("--json", type=Path, default=None, help="also write the results here")
    args.add_argument("--keep", action="store_true", help="keep the temporary copies, models and logs")
    opts = args.parse_args()
    try:
        opts.senders = [int(x) for x in opts.senders.split(",") if x.strip()]
    except ValueError:
        args.error(f"--senders: comma-separated integers, not {opts.senders!r}")
    project = opts.project.resolve()
    if not (project / "domain.yml").is_file():
        raise SystemExit(f"-p {opts.project}: no domain.yml there (not a Rasa project)")
    version = rasa_version(opts.rasa)
    messages = project_messages(project) or list(load.CONVERSATION)
    messages = [m.strip() for m in messages if m.strip()]
    load.CONVERSATION = messages  # what run_level sends, for both systems
    work = Path(tempfile.mkdtemp(prefix="compare-rasa-"))
    results: dict = {"project": str(project), "messages": messages, "senders": opts.senders,
                     "messages_per_level": opts.messages, "parse_requests": opts.requests,
                     "rasa_version": version, "python": sys.version.split()[0],
                     "machine": f"{platform.machine()}, {os.cpu_count()} CPU(s)"}
    try:
        try:
            results["switchboard"] = run_switchboard(project, work, opts, messages)
        except Failed as exc:
            raise SystemExit(f"Switchboard: {exc}") from None
        try:
            results["rasa"] = run_rasa(opts.rasa, project, work, opts, messages)
        except Failed as exc:
            raise SystemExit(f"Rasa: {exc}") from None
    finally:
        if opts.keep:
            print(f"copies, models and logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sb, rasa = results["switchboard"], results["rasa"]
    results["ratios"] = {key: ratio(key, sb.get(key), rasa.get(key)) for key, _ in ROWS}
    results["ratios"]["load"] = [{key: ratio(key, a.get(key), b.get(key)) for key, _ in LEVEL_ROWS}
                                 for a, b in zip(sb["load"], rasa["load"])]
    Console().print(results_table(results))
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results written to {opts.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
