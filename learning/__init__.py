"""Learning from real conversations: the messages worth reviewing, staff annotations, and
merging them into the project's training data."""
