"""Channels: where customers' messages come from and how the bot's replies look there.

    base.py         InputChannel (routes on the FastAPI app) and OutputChannel (replies ->
                    the platform's messages), after Rasa's rasa/core/channels/channel.py
    rest.py         Rasa's REST channel, its server-sent-events stream and the web chat page
    slack.py        Slack's Events API (signed webhooks in, chat.postMessage out)
    shell.py        how `cli.py shell` prints replies
    registry.py     channel names (as credentials.yml uses them) -> classes
    credentials.py  reads Rasa's credentials.yml into configured channels
"""
