"""pytest's configuration for the whole suite. The framework needs no shared fixtures of its
own; the example project's test bed lives in tests/example_fixtures.py."""

pytest_plugins = ["tests.example_fixtures"]
