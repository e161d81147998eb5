"""Turning an action into what the customer reads."""
