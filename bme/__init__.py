"""The assistant's plain-Python core; it imports no Rasa.

``knowledge`` loads and validates ``knowledge/``, ``vocabulary`` finds its
terms and red flags in text (spaCy), ``answers`` picks facts and composes
cited answers, ``plan`` is the 4-step treatment algorithm, ``plan_inputs``
parses the plan's answers and ``plan_text`` writes the plan. The action
server (``actions/``), the NLU component (``components/``), the channels and
the tools import it; it imports none of them.
"""
