"""The example assistant's custom actions and slot validators.

Switchboard imports this package when it loads the project (see dialogue.registry).
"""
from actions import customers, orders, validators  # noqa: F401  (importing registers them)
