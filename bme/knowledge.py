"""Load and validate the knowledge base in ``knowledge/``.

Plain Python (pydantic v1 + PyYAML), no Rasa import: the action server calls
``load_knowledge_base`` once at start-up, and a broken file stops it with an
error that names the file, the entry and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, constr, validator

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"

AUDIENCES = ("patient", "caregiver", "professional")
EVIDENCE_LEVELS = ("A", "S", "U", "seed")
SEED_SECTIONS = (
    "diagnostic_approach",
    "conservative_management",
    "pharmacological_interventions",
    "interventional_procedures",
    "physical_modalities",
    "special_considerations",
    "treatment_algorithm",
    "prognosis",
    "references",
)

Text = constr(strip_whitespace=True, min_length=1)


class KnowledgeError(Exception):
    """A knowledge file is missing, unreadable or inconsistent."""


class StrictModel(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Reference(StrictModel):
    id: constr(regex=r"^[a-z0-9_]+$")
    citation: Text
    short: Text
    year: Optional[int] = Field(None, ge=1900, le=2100)  # None where the sources give none
    doi: Optional[Text] = None
    pmid: Optional[Text] = None
    confidence: constr(regex=r"^(A|S|U|seed)$")


class Fact(StrictModel):
    id: constr(regex=r"^[a-z0-9_]+$")
    topics: List[Text] = Field(min_items=1)
    treatments: List[Text] = []
    conditions: List[Text] = []
    body_sites: List[Text] = []
    general: bool = False
    seed_section: Optional[Text] = None
    patient: Text
    professional: Text
    references: List[Text] = Field(min_items=1)
    evidence: constr(regex=r"^(A|S|U|seed)$")
    caveat: Optional[Text] = None

    @validator("seed_section")
    def known_seed_section(cls, value):
        if value is not None and value not in SEED_SECTIONS:
            raise ValueError(f"unknown seed section {value!r}; use one of {', '.join(SEED_SECTIONS)}")
        return value


class VocabularyEntry(StrictModel):
    label: Text
    synonyms: List[Text] = Field(min_items=1)


class Topic(StrictModel):
    intent: Text
    label: Text
    # Topics whose facts also answer a question about a named treatment,
    # e.g. "does ESWT help?" may be answered by a procedure fact.
    related: List[Text] = []


class RedFlagMessage(StrictModel):
    patient: Text
    professional: Text


class RedFlag(StrictModel):
    """A red-flag category: it matches when, for any one alternative, every
    group of phrases has at least one phrase in the message."""

    id: constr(regex=r"^[a-z0-9_]+$")
    title: Text
    alternatives: List[List[List[Text]]] = Field(min_items=1)
    message: RedFlagMessage
    references: List[Text] = Field(min_items=1)


class Button(StrictModel):
    title: Text
    payload: Text


class Message(StrictModel):
    text: Text
    buttons: List[Button] = []


class PlanQuestion(StrictModel):
    ask: Message
    invalid: Text  # re-ask with an example answer
    why: Text  # why the question matters


class PlanStepText(StrictModel):
    title: Text
    facts: List[Text] = Field(min_items=1)


class PlanWording(StrictModel):
    headings: Dict[int, Text]
    urgent_heading: Text
    steps: Dict[str, PlanStepText]
    etiology_words: Dict[str, List[Text]]
    questions: Dict[str, PlanQuestion]


class Disclaimers(StrictModel):
    clinical: Text
    no_answer: Text


class KnowledgeBase(StrictModel):
    references: Dict[str, Reference]
    facts: Dict[str, Fact]
    vocabulary: Dict[str, Dict[str, VocabularyEntry]]
    topics: Dict[str, Topic]
    red_flags: List[RedFlag]
    disclaimers: Disclaimers
    plan: PlanWording
    messages: Dict[str, Message]

    def fact(self, fact_id: str) -> Fact:
        return self.facts[fact_id]

    def label(self, entity: str, value: str) -> str:
        return self.vocabulary[entity][value].label

    def topic_for_intent(self, intent: str) -> Optional[str]:
        return next((name for name, topic in self.topics.items() if topic.intent == intent), None)


def _read_yaml(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            content = yaml.safe_load(handle)
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing") from None
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(content, dict):
        raise KnowledgeError(f"{path}: expected a mapping at the top level")
    return content


def _parse(model, data, path: Path, entry: str):
    try:
        return model.parse_obj(data)
    except ValidationError as error:
        problems = "; ".join(
            f"field '{'.'.join(str(part) for part in issue['loc'])}': {issue['msg']}" for issue in error.errors()
        )
        raise KnowledgeError(f"{path}: entry '{entry}': {problems}") from None


def _entries(path: Path, key: str) -> list:
    items = _read_yaml(path).get(key)
    if not isinstance(items, list):
        raise KnowledgeError(f"{path}: expected a list under '{key}'")
    return items


def _entry_name(item, index: int) -> str:
    return str(item.get("id", f"#{index + 1}")) if isinstance(item, dict) else f"#{index + 1}"


def _parse_list(model, path: Path, key: str) -> list:
    parsed, seen = [], set()
    for index, item in enumerate(_entries(path, key)):
        entry = _entry_name(item, index)
        value = _parse(model, item, path, entry)
        if getattr(value, "id", None) in seen:
            raise KnowledgeError(f"{path}: entry '{entry}': field 'id': duplicate id")
        seen.add(getattr(value, "id", None))
        parsed.append((path, value))
    return parsed


def _parse_mapping(model, path: Path, key: str) -> dict:
    """Entries under ``key`` keyed by name, each parsed as ``model``."""
    return {name: _parse(model, data, path, name) for name, data in (_read_yaml(path).get(key) or {}).items()}


def _load_vocabulary(path: Path) -> Dict[str, Dict[str, VocabularyEntry]]:
    vocabulary = {}
    for entity, values in _read_yaml(path).items():
        if not isinstance(values, dict):
            raise KnowledgeError(f"{path}: entry '{entity}': expected canonical ids with label and synonyms")
        vocabulary[entity] = {
            value: _parse(VocabularyEntry, data, path, f"{entity}.{value}") for value, data in values.items()
        }
    return vocabulary


def _check_fact(path: Path, fact: Fact, kb_refs, vocabulary, topics) -> None:
    def fail(field: str, message: str):
        raise KnowledgeError(f"{path}: entry '{fact.id}': field '{field}': {message}")

    for ref in fact.references:
        if ref not in kb_refs:
            fail("references", f"unknown reference id {ref!r}")
    for topic in fact.topics:
        if topic not in topics:
            fail("topics", f"unknown topic {topic!r}")
    for field, entity in (("treatments", "treatment"), ("conditions", "condition"), ("body_sites", "body_site")):
        for value in getattr(fact, field):
            if value not in vocabulary.get(entity, {}):
                fail(field, f"{value!r} is not a {entity} id in vocabulary.yml")


def load_knowledge_base(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Read every knowledge file, validate each entry and cross-check ids."""
    directory = Path(directory)
    reference_items = _parse_list(Reference, directory / "references.yml", "references")
    fact_files = sorted((directory / "facts").glob("*.yml"))
    if not fact_files:
        raise KnowledgeError(f"{directory / 'facts'}: no fact files found")
    fact_items = [item for path in fact_files for item in _parse_list(Fact, path, "facts")]
    red_flag_items = _parse_list(RedFlag, directory / "red_flags.yml", "red_flags")
    vocabulary = _load_vocabulary(directory / "vocabulary.yml")
    topics = _parse_mapping(Topic, directory / "topics.yml", "topics")
    disclaimers_path = directory / "disclaimers.yml"
    disclaimers = _parse(Disclaimers, _read_yaml(disclaimers_path), disclaimers_path, "disclaimers")

    messages = _parse_mapping(Message, directory / "messages.yml", "messages")
    plan_path = directory / "plan.yml"
    plan = _parse(PlanWording, _read_yaml(plan_path), plan_path, "plan")

    references = {ref.id: ref for _, ref in reference_items}
    facts: Dict[str, Fact] = {}
    for path, fact in fact_items:
        if fact.id in facts:
            raise KnowledgeError(f"{path}: entry '{fact.id}': field 'id': duplicate id across fact files")
        _check_fact(path, fact, references, vocabulary, topics)
        facts[fact.id] = fact
    for path, flag in red_flag_items:
        for ref in flag.references:
            if ref not in references:
                raise KnowledgeError(f"{path}: entry '{flag.id}': field 'references': unknown reference id {ref!r}")
    for key, step in plan.steps.items():
        for fact_id in step.facts:
            if fact_id not in facts:
                raise KnowledgeError(f"{plan_path}: entry '{key}': field 'facts': unknown fact id {fact_id!r}")
    return KnowledgeBase(
        references=references,
        facts=facts,
        vocabulary=vocabulary,
        topics=topics,
        red_flags=[flag for _, flag in red_flag_items],
        disclaimers=disclaimers,
        plan=plan,
        messages=messages,
    )


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The project's knowledge base, loaded once per process."""
    return load_knowledge_base(KNOWLEDGE_DIR)
