"""Prometheus metrics, kept by hand (text exposition format 0.0.4)."""
from __future__ import annotations

import threading
from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency_buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.latency_count: dict[str, int] = defaultdict(int)
        self.events: dict[str, int] = defaultdict(int)  # fallback, handoff, generated, refused

    def observe(self, method: str, path: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, path, status)] += 1
            buckets = self.latency_buckets[path]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
            self.latency_sum[path] += seconds
            self.latency_count[path] += 1

    def count(self, name: str) -> None:
        with self._lock:
            self.events[name] += 1

    def render(self) -> str:
        with self._lock:
            lines = ["# HELP switchboard_requests_total HTTP requests by path and status.",
                     "# TYPE switchboard_requests_total counter"]
            for (method, path, status), n in sorted(self.requests.items()):
                lines.append(f'switchboard_requests_total{{method="{method}",path="{path}",status="{status}"}} {n}')
            lines += ["# HELP switchboard_request_seconds Request latency.",
                      "# TYPE switchboard_request_seconds histogram"]
            for path, counts in sorted(self.latency_buckets.items()):
                for bound, n in zip(BUCKETS, counts):
                    lines.append(f'switchboard_request_seconds_bucket{{path="{path}",le="{bound}"}} {n}')
                lines.append(f'switchboard_request_seconds_bucket{{path="{path}",le="+Inf"}} {self.latency_count[path]}')
                lines.append(f'switchboard_request_seconds_sum{{path="{path}"}} {self.latency_sum[path]:.6f}')
                lines.append(f'switchboard_request_seconds_count{{path="{path}"}} {self.latency_count[path]}')
            lines += ["# HELP switchboard_dialogue_events_total Fallbacks, handoffs, generated answers, refusals.",
                      "# TYPE switchboard_dialogue_events_total counter"]
            for name in ("fallback", "handoff", "generated", "refused"):
                lines.append(f'switchboard_dialogue_events_total{{kind="{name}"}} {self.events[name]}')
            return "\n".join(lines) + "\n"
