"""The dialogue manager: trackers in, actions and replies out (see `dialogue.agent.Agent`)."""
