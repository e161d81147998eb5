"""The HTTP API (`cli.py run`): Rasa-compatible REST channel, NLU parse, trackers,
handoffs for human agents, health, version and Prometheus metrics."""
