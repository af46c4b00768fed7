"""Extensions of the Rasa server that are not channels: turns, action calls, stores, retention.

Rasa loads the stores by module path from ``endpoints*.yml``: ``tracker_store``
keeps conversations in SQLite or PostgreSQL and fails visibly, ``lock_store``
lets several Rasa servers share a Redis lock store safely. ``turns`` holds the
turn being handled, into which ``action_endpoint`` (custom action calls) and
the tracker store report failures. ``python -m server.conversations`` deletes
stored conversations (retention, a user's request). See docs/PRODUCTION.md.
"""

from server.internals import refuse_untested_versions

# The extensions rely on Rasa internals checked only with certain versions (docs/RASA_INTERNALS.md).
refuse_untested_versions()
