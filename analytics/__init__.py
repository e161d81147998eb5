"""Figures about the assistant's real conversations, read from the tracker store."""
