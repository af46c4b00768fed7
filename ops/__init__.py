"""Production glue for the Rasa server: fault handling, stores and conversation retention.

Rasa loads these classes by module path from ``credentials.yml`` (input
channels) and ``endpoints*.yml`` (tracker store, lock store);
``python -m ops.conversations`` deletes stored conversations.
See README, "Production".
"""
