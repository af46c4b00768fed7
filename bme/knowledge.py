"""Load and validate the knowledge base in ``knowledge/``.

Plain Python (pydantic v1 + PyYAML), no Rasa import: the action server calls
``load_knowledge_base`` once at start-up, and a broken file stops it with an
error that names the file, the entry and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Dict, Iterable, List, Optional

import yaml
from pydantic import BaseModel, ConstrainedStr, Extra, Field, ValidationError, constr, validator

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"

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
# How well a source or fact is checked; knowledge/references.yml says what each level means.
EvidenceLevel = constr(regex=r"^(A|S|U|seed)$")


def _braced(names: Iterable[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names)) or "none"


def text_with(*placeholders: str) -> type:
    """Text whose {placeholders} are exactly ``placeholders``: a misspelt or
    missing one stops the start-up rather than a conversation."""
    wanted = set(placeholders)

    class TextWithPlaceholders(ConstrainedStr):
        strip_whitespace = True
        min_length = 1

        @classmethod
        def __get_validators__(cls):
            yield from super().__get_validators__()
            yield cls.has_the_placeholders

        @classmethod
        def has_the_placeholders(cls, value: str) -> str:
            found = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
            if found != wanted:
                raise ValueError(f"the placeholders must be {_braced(wanted)}, not {_braced(found)}")
            return value

    return TextWithPlaceholders


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
    confidence: EvidenceLevel


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
    evidence: EvidenceLevel
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


class CauseLabels(StrictModel):
    """Names of the answers about the cause that are not condition ids (bme.plan.TRAUMATIC, UNKNOWN)."""

    traumatic: Text
    unknown: Text


class PlanSummaryWording(StrictModel):
    """The parts of the one-line summary of a person's answers in the plan's title."""

    mri_confirmed: Text
    no_mri: Text
    pain_severity: text_with("score")
    pain_duration: text_with("weeks")
    diabetes: Text
    causes: CauseLabels


class PlanWording(StrictModel):
    title: Text
    title_with_summary: text_with("summary")
    summary: PlanSummaryWording
    step_heading: text_with("number", "heading")
    headings: Dict[int, Text]
    urgent_heading: Text
    details_hint: Text
    step_evidence: text_with("meaning")
    steps: Dict[str, PlanStepText]
    etiology_words: Dict[str, List[Text]]
    questions: Dict[str, PlanQuestion]


class Disclaimers(StrictModel):
    clinical: Text
    no_answer: Text


class EvidenceMeanings(StrictModel):
    """What each evidence level tells the user about a fact."""

    A: Text
    S: Text
    U: Text
    seed: Text

    def meaning(self, level: str) -> str:
        return getattr(self, level)  # level is an EvidenceLevel, validated at load


class AnswerWording(StrictModel):
    """The fixed words of composed answers; bme/answers.py adds the Markdown."""

    topic_heading: text_with("topic", "subject")
    note: text_with("caveat")
    sources_line: text_with("sources")
    asked_about: text_with("question")
    question_on_subject: text_with("topic", "subject")
    unknown_question: Text
    can_tell: text_with("topics")
    can_tell_about: text_with("subject", "topics")
    no_sources_yet: Text
    sources_heading: Text
    doi: text_with("doi")
    pmid: text_with("pmid")
    nothing_to_explain_yet: Text
    explanation_heading: Text
    fact_evidence: text_with("citations", "meaning")
    evidence_levels: EvidenceMeanings


class ReplyButtons(StrictModel):
    """Buttons the actions add to a reply."""

    make_plan: Button
    help: Button


class ChatPage(StrictModel):
    """The words of the web chat page around the chat (web/index.html)."""

    title: Text
    notice_label: Text
    input_hint: Text


class KnowledgeBase(StrictModel):
    references: Dict[str, Reference]
    facts: Dict[str, Fact]
    vocabulary: Dict[str, Dict[str, VocabularyEntry]]
    topics: Dict[str, Topic]
    red_flags: List[RedFlag]
    disclaimers: Disclaimers
    plan: PlanWording
    messages: Dict[str, Message]
    buttons: ReplyButtons
    answer_wording: AnswerWording
    chat_page: ChatPage

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


def _section(path: Path, key: str) -> dict:
    section = _read_yaml(path).get(key)
    if not isinstance(section, dict):
        raise KnowledgeError(f"{path}: expected a mapping under '{key}'")
    return section


def _parse_mapping(model, path: Path, key: str) -> dict:
    """Entries under ``key`` keyed by name, each parsed as ``model``."""
    return {name: _parse(model, data, path, name) for name, data in _section(path, key).items()}


def _parse_section(model, path: Path, key: str):
    """The mapping under ``key`` parsed as one ``model``."""
    return _parse(model, _section(path, key), path, key)


def _load_vocabulary(path: Path) -> Dict[str, Dict[str, VocabularyEntry]]:
    vocabulary = {}
    for entity, values in _read_yaml(path).items():
        if not isinstance(values, dict):
            raise KnowledgeError(f"{path}: entry '{entity}': expected canonical ids with label and synonyms")
        vocabulary[entity] = {
            value: _parse(VocabularyEntry, data, path, f"{entity}.{value}") for value, data in values.items()
        }
    return vocabulary


def _load_messages(path: Path) -> dict:
    """The knowledge base's fields that messages.yml fills, by name."""
    return {
        "messages": _parse_mapping(Message, path, "messages"),
        "buttons": _parse_section(ReplyButtons, path, "buttons"),
        "answer_wording": _parse_section(AnswerWording, path, "answer_wording"),
        "chat_page": _parse_section(ChatPage, path, "chat_page"),
    }


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
    wording = _load_messages(directory / "messages.yml")
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
        **wording,
    )


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The project's knowledge base, loaded once per process."""
    return load_knowledge_base(KNOWLEDGE_DIR)
