"""Chat channels: the web chat, Slack and Microsoft Teams connectors for Rasa.

Rasa loads ``web.WebChatInput``, ``slack.SlackInput`` and ``teams.TeamsInput``
by module path from the credentials (``credentials.py`` assembles them). The
plain-Python parts they share: ``formatting`` renders an answer for each
channel, ``inbound`` checks what arrives, ``bot_connector`` talks to the Bot
Framework. See README, "Channels".
"""
