"""The assembled assistant: training a project into models/, and talking to it."""
