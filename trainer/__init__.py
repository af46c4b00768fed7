"""Trainers' tools: check, evaluate and improve the NLU data from real conversations.

Plain Python on top of Rasa's own commands; ``python -m trainer --help`` lists them.
"""

import yaml


class TrainerError(Exception):
    """Bad input to a trainer command; the message says what to fix."""


def read_yaml(path, shown: str):
    """The parsed YAML file at ``path``; ``shown`` names it in error messages."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise TrainerError(f"{shown}: file not found") from None
    except yaml.YAMLError as error:
        raise TrainerError(f"{shown}: not valid YAML: {error}") from None
