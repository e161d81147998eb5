"""Shared building blocks: YAML loading with line numbers, the typed Domain and
TrainingData, the Message that NLU produces, and the user-facing error tree."""
