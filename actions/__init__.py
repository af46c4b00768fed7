"""The action server's Rasa glue: custom actions and the plan form's validation.

They translate between rasa_sdk and the core (``bme``): ``actions`` answers
questions, sources, "why?" and red flags; ``plan_actions`` runs the treatment
plan form; ``dispatch`` sends the core's answers and messages.
"""
