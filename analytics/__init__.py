"""Figures about the assistant's real conversations, read from the tracker store.

    analytics.scan           every stored conversation, in one pass (the stores' `scan`)
    analytics.conversations  one sender's events as conversations, each summed up
    analytics.figures        totals, per day and per channel: `analyse(store, since)`

`cli.py analytics` prints them (assistant.analytics_cli); `GET /analytics` draws them
(server.analytics_routes).
"""
