"""The project's own checks on the NLU data, on top of ``rasa data validate``.

Every check returns findings, one clear line each; ``run_checks`` runs them all
on the project's actual files. Entities are checked against the knowledge-base
vocabulary because the vocabulary, not the NLU data, decides entity values at
run time (the vocabulary matcher in components/, see config.yml).
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, List, Sequence, Set, Tuple

from rasa.shared.core.constants import DEFAULT_ACTION_NAMES

from bme.vocabulary import VocabularyMatcher
from trainer import TrainerError, read_yaml
from trainer.nlu_data import Entity, Example, NluData, Synonym, nearly_equal_pairs, normalise
from trainer.project import Domain, Project, Vocabulary

MIN_EXAMPLES_PER_INTENT = 20
# Responses that Rasa's built-in actions utter by name.
RESPONSES_UTTERED_BY_RASA = frozenset({"utter_default", "utter_ask_rephrase", "utter_restart", "utter_back"})
# An f-string such as f"utter_audience_{audience}" uses every name with its prefix.
NAME_PREFIXES = ("utter_", "action_", "validate_")


@dataclass(frozen=True)
class Finding:
    check: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.message}"


def duplicates(examples: Sequence[Example]) -> Iterator[Finding]:
    """The same example under two intents, and examples that nearly repeat another."""
    for first, second in nearly_equal_pairs(examples):
        if normalise(first.text) == normalise(second.text) and first.intent != second.intent:
            yield Finding(
                "conflict",
                f"{first.where()} is also an example of {second.intent} at {second.source}; keep it under one intent",
            )
        else:
            yield Finding(
                "near-duplicate", f"{first.where()} nearly repeats {second.where()}; delete one or make them differ"
            )


def few_examples(
    examples: Sequence[Example], intents: Iterable[str], minimum: int = MIN_EXAMPLES_PER_INTENT
) -> Iterator[Finding]:
    counts = Counter(example.intent for example in examples)
    for intent in intents:
        if counts[intent] < minimum:
            yield Finding(
                "few-examples",
                f"intent {intent}: {counts[intent]} training example(s), "
                f"at least {minimum} needed: add {minimum - counts[intent]} more",
            )


def unknown_entities(
    examples: Sequence[Example], vocabulary: Vocabulary, matcher: VocabularyMatcher
) -> Iterator[Finding]:
    """Entity annotations whose type, value or words the vocabulary does not know."""
    for example in examples:
        for entity in example.entities:
            problem = entity_problem(entity, vocabulary, matcher)
            if problem:
                yield Finding("unknown-entity", f"{example.where()}: {problem}")


def entity_problem(entity: Entity, vocabulary: Vocabulary, matcher: VocabularyMatcher) -> str:
    if entity.entity not in vocabulary:
        return f'entity type "{entity.entity}" is not in knowledge/vocabulary.yml ({", ".join(sorted(vocabulary))})'
    if entity.value not in vocabulary[entity.entity]:
        return f'"{entity.value}" is not a {entity.entity} id in knowledge/vocabulary.yml'
    whole = [match for match in matcher.find(entity.text) if (match.start, match.end) == (0, len(entity.text))]
    if any((match.entity, match.value) == (entity.entity, entity.value) for match in whole):
        return ""
    if whole:
        return (
            f'"{entity.text}" means {whole[0].entity} "{whole[0].value}" in knowledge/vocabulary.yml, '
            f'not {entity.entity} "{entity.value}"'
        )
    return (
        f'"{entity.text}" is not a synonym of {entity.entity} "{entity.value}": '
        "add it to its synonyms in knowledge/vocabulary.yml or annotate a known synonym"
    )


def unknown_synonyms(
    synonyms: Sequence[Synonym], vocabulary: Vocabulary, matcher: VocabularyMatcher
) -> Iterator[Finding]:
    """NLU synonym entries must repeat what the vocabulary says: it alone maps words to ids."""
    for synonym in synonyms:
        entities = [entity for entity, values in vocabulary.items() if synonym.value in values]
        if not entities:
            yield Finding(
                "unknown-synonym",
                f'{synonym.source} synonym "{synonym.value}" is not an id in knowledge/vocabulary.yml',
            )
            continue
        entity = Entity(entities[0], synonym.value, 0, len(synonym.text), synonym.text)
        problem = entity_problem(entity, vocabulary, matcher)
        if problem:
            yield Finding("unknown-synonym", f'{synonym.source} synonym "{synonym.value}": {problem}')


def uncovered_terms(data: NluData, vocabulary: Vocabulary, matcher: VocabularyMatcher) -> Iterator[Finding]:
    """Vocabulary ids that no training example mentions and no NLU synonym names."""
    covered = {(entity.entity, entity.value) for example in data.examples for entity in example.entities}
    covered |= {(match.entity, match.value) for example in data.examples for match in matcher.find(example.text)}
    synonym_values = {synonym.value for synonym in data.synonyms}
    for entity, values in vocabulary.items():
        for value, entry in values.items():
            if (entity, value) not in covered and value not in synonym_values:
                yield Finding(
                    "uncovered-term",
                    f'knowledge/vocabulary.yml: {entity} "{value}" ({entry.label}) '
                    "appears in no training example: add examples that mention it",
                )


def unused_responses_and_actions(project: Project, domain: Domain) -> Iterator[Finding]:
    exact, prefixes = used_names(project, domain)
    shown = project.show(project.domain_file)
    for kind, names in (("response", domain.responses), ("action", domain.actions)):
        for name in names:
            if name not in exact and not name.startswith(prefixes):
                yield Finding(
                    "unused",
                    f'{shown}: {kind} "{name}" is used by no rule, story, action or config: use it or delete it',
                )


def used_names(project: Project, domain: Domain) -> Tuple[Set[str], Tuple[str, ...]]:
    """Names of responses and actions that something uses, and name prefixes used in f-strings."""
    code_strings: Set[str] = set()
    prefixes: Set[str] = set()
    for path in sorted(project.actions_dir.glob("*.py")):
        strings, string_prefixes = _strings_in_python(path, project.show(path))
        code_strings |= strings
        prefixes |= {prefix for prefix in string_prefixes if prefix.startswith(NAME_PREFIXES)}
    exact = set(DEFAULT_ACTION_NAMES) | RESPONSES_UTTERED_BY_RASA | code_strings
    for path in project.dialogue_files():
        exact |= set(_step_names(read_yaml(path, project.show(path))))
    exact |= set(_strings(read_yaml(project.config_file, project.show(project.config_file))))
    for form, slots in domain.forms.items():
        # A form asks for each slot it requests, including slots its validate action adds in code.
        asked = set(slots) | code_strings
        exact.add(f"validate_{form}")
        exact |= {
            f"{kind}_ask_{name}" for kind in ("utter", "action") for slot in asked for name in (slot, f"{form}_{slot}")
        }
    return exact, tuple(sorted(prefixes))


def _step_names(node) -> Iterator[str]:
    """Actions (and active loops) named anywhere in rules or stories."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("action", "active_loop") and isinstance(value, str):
                yield value
            else:
                yield from _step_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _step_names(item)


def _strings(node) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _strings_in_python(path: Path, shown: str) -> Tuple[Set[str], Set[str]]:
    """String constants and f-string prefixes in a module, except what an action's name() returns."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
    except SyntaxError as error:
        raise TrainerError(f"{shown}:{error.lineno}: not valid Python: {error.msg}") from None
    own_names = {
        id(node.value)
        for function in ast.walk(tree)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.name == "name"
        for node in ast.walk(function)
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant)
    }
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in own_names
    }
    prefixes = {
        node.values[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant)
    }
    return strings, prefixes


def held_out_problems(held_out: NluData, training: NluData, domain: Domain, project: Project) -> Iterator[Finding]:
    """The held-out set must stay unseen by training and evaluate every intent of the domain."""
    shown = project.show(project.held_out_file)
    for example, training_example in nearly_equal_pairs(held_out.examples, training.examples):
        yield Finding(
            "held-out-leak",
            f"{example.where()} repeats the training example {training_example.where()}; "
            "held-out examples must differ from training",
        )
    present = {example.intent for example in held_out.examples}
    for intent in domain.intents:
        if intent not in present:
            yield Finding("held-out-intent", f"{shown}: no example for intent {intent}, so it is never evaluated")
    for example in held_out.examples:
        if example.intent not in domain.intents:
            yield Finding("held-out-intent", f"{example.where()}: intent {example.intent} is not in domain.yml")


def run_checks(project: Project) -> List[Finding]:
    """Every check on the project's data/nlu, domain, rules, stories, actions, vocabulary and held-out set."""
    domain = project.domain()
    training = project.training_data()
    held_out = project.held_out_data()
    vocabulary = project.vocabulary()
    matcher = VocabularyMatcher(vocabulary, read_misspellings=False)
    return [
        *duplicates(training.examples),
        *few_examples(training.examples, domain.intents),
        *unknown_entities(training.examples, vocabulary, matcher),
        *unknown_synonyms(training.synonyms, vocabulary, matcher),
        *uncovered_terms(training, vocabulary, matcher),
        *unused_responses_and_actions(project, domain),
        *duplicates(held_out.examples),
        *unknown_entities(held_out.examples, vocabulary, matcher),
        *held_out_problems(held_out, training, domain, project),
    ]
