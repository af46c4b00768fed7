"""Input channels of the Rasa server: REST, the web chat, Slack and Microsoft Teams.

Rasa loads ``rest.GuardedRestInput``, ``web.WebChatInput``, ``slack.SlackInput``
and ``teams.TeamsInput`` by module path from the credentials
(``credentials.py`` assembles them). What they share: ``webhooks`` (turns with
a deadline, the try-again message, the request size limit), ``inbound``
(plain-Python checks of what arrives, with every limit), ``formatting`` (an
answer rendered for each channel), ``bot_connector`` (the Bot Framework).
See docs/CHANNELS.md.
"""

from server.internals import refuse_untested_versions

# The extensions rely on Rasa internals checked only with certain versions (docs/RASA_INTERNALS.md).
refuse_untested_versions()
