"""Load and validate the knowledge base in ``knowledge/``.

Plain Python (pydantic v1 + PyYAML), no Rasa import: the action server calls
``load_knowledge_base`` once at start-up, and a broken file stops it with an
error that names the file, the entry and the field.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any, Dict, Iterable, List, Literal, Optional, Tuple, Union

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
# The kinds of work a reference may be: primary evidence, guidance and official
# product information. AI-written digests and the project's own notes have no kind.
ReferenceKind = Literal[
    "guideline",
    "systematic_review",
    "randomised_trial",
    "cohort",
    "case_series",
    "review",
    "product_information",
    "patient_information",
]
# The kind of evidence behind a fact, as its evidence card names it.
EvidenceKind = Literal[
    "guideline",
    "systematic_review",
    "randomised_trial",
    "cohort",
    "case_series",
    "expert_opinion",
    "product_information",
]
# "Seefried L" or "Matucci Cerinic M": a surname, then initials.
PERSON_NAME = re.compile(r"^(?P<surname>[^\W\d][\w'’ -]*) [A-Z]{1,3}$")
# Bibliographic fields a reference may lack because nobody has seen them yet.
CORE_FIELDS = ("authors", "title", "year")
OPTIONAL_FIELDS = ("volume", "issue", "pages", "doi", "pmid")


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
    """A work as seen on the pages in ``seen_at``. A field that exists but was
    not seen stays empty and is named in ``not_seen``: ``make validate``
    reports it, and nobody fills it in from memory."""

    id: constr(regex=r"^[a-z0-9_]+$")
    kind: ReferenceKind
    authors: Optional[Text] = None
    title: Optional[Text] = None
    source: Text  # journal, or the publisher of a guideline, label or web page
    year: Optional[int] = Field(None, ge=1900, le=2100)
    volume: Optional[Text] = None
    issue: Optional[Text] = None
    pages: Optional[Text] = None
    doi: Optional[Text] = None
    pmid: Optional[constr(regex=r"^[0-9]+$")] = None
    url: Optional[constr(regex=r"^https?://")] = None
    # An undated web page (a label, a guideline page) is cited with the date it was read.
    accessed: Optional[date] = None
    seen_at: List[constr(regex=r"^https?://")] = Field(min_items=1)
    not_seen: List[Literal[CORE_FIELDS + OPTIONAL_FIELDS]] = []

    @validator("not_seen", each_item=True)
    def not_seen_is_empty(cls, name, values):
        if values.get(name):
            raise ValueError(f"{name!r} is listed as not seen but has a value")
        return name

    @validator("not_seen", always=True)
    def core_fields_present_or_not_seen(cls, not_seen, values):
        dated = {"year": values.get("year") or values.get("accessed")}
        missing = [name for name in CORE_FIELDS if not {**values, **dated}.get(name) and name not in not_seen]
        if missing:
            raise ValueError(f"give {', '.join(missing)} or list them as not seen")
        if not (values.get("doi") or values.get("pmid") or values.get("url")):
            raise ValueError("a reference needs a doi, pmid or url that readers can open")
        return not_seen

    @property
    def link(self) -> str:
        """Where a reader goes: the DOI, else PubMed, else the page itself.
        Parentheses (as in some DOIs) are percent-encoded so the link survives Markdown."""
        if self.doi:
            link = f"https://doi.org/{self.doi}"
        elif self.pmid:
            link = f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        else:
            link = self.url
        return link.replace("(", "%28").replace(")", "%29")

    @property
    def short(self) -> str:
        """'Seefried et al., J Bone Miner Res 2022'. A work by an organisation
        goes by its title (by its source when the title was not seen), one whose authors were not
        seen by its journal."""
        first = (self.authors or "").split(", ")[0]
        person = PERSON_NAME.match(first)
        if person:
            who = person.group("surname") + (" et al." if first != self.authors else "")
            return f"{who}, {self.source} {self._when}".strip()
        if self.authors and self.title:
            return f"{self.title}, {self._when or self.source}"
        return f"{self.source} {self._when}".strip()

    @property
    def _when(self) -> str:
        return str(self.year or (self.accessed and f"accessed {self.accessed.isoformat()}") or "")

    @property
    def citation(self) -> str:
        """Vancouver-style: authors. Title. Source. Year;volume(issue):pages."""
        where = "".join(
            part
            for part in (
                str(self.year or ""),
                f";{self.volume}" if self.volume else "",
                f"({self.issue})" if self.issue else "",
                f":{self.pages}" if self.pages else "",
            )
        )
        accessed = f"Accessed {self.accessed.isoformat()}" if self.accessed and not self.year else ""
        parts = (self.authors, self.title, self.source, where, accessed)
        return " ".join(f"{part.rstrip('.')}." for part in parts if part)


class EvidenceCard(StrictModel):
    """What kind of evidence stands behind a fact, how strong it is, and when
    the fact was last checked against its sources."""

    kind: EvidenceKind
    strength: Text
    reviewed: date


class Caveat(StrictModel):
    patient: Text
    professional: Text


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
    evidence: EvidenceCard
    caveat: Optional[Caveat] = None

    @validator("seed_section")
    def known_seed_section(cls, value):
        if value is not None and value not in SEED_SECTIONS:
            raise ValueError(f"unknown seed section {value!r}; use one of {', '.join(SEED_SECTIONS)}")
        return value


class CardAnswer(StrictModel):
    """The one-sentence direct answer that leads the reply, per audience."""

    patient: Text
    professional: Text


class VocabularyTerm(StrictModel):
    """Every synonym of one vocabulary entry, written ``{vocabulary: treatment.nsaids}`` among the
    phrases of a group, so that the group follows the vocabulary instead of copying it."""

    vocabulary: constr(regex=r"^[a-z_]+\.[a-z0-9_]+$")

    @property
    def entry(self) -> Tuple[str, str]:
        """The entity type and canonical id it names: ("treatment", "nsaids")."""
        entity, value = self.vocabulary.split(".")
        return entity, value


class TokenPattern(StrictModel):
    """A spaCy token pattern among the phrases of a group, written ``{pattern: [...]}``, for
    wordings too many to list: an age ("i'm 15", "a 13-year-old"). bme/vocabulary.py checks it
    when it builds its matcher (https://spacy.io/usage/rule-based-matching)."""

    pattern: List[Dict[Text, Any]] = Field(min_items=1)


# A phrase of a phrase group: words, a vocabulary entry's synonyms, or a token pattern.
Phrase = Union[VocabularyTerm, TokenPattern, Text]


def holds_words(longer: str, shorter: str) -> bool:
    """``shorter`` stands in ``longer`` as whole words ("a fall" in "had a fall", "i" in "i'm",
    which the tokenizer splits), and is not the same phrase."""
    if longer.lower() == shorter.lower():
        return False
    return re.search(rf"(?<![\w-]){re.escape(shorter.lower())}(?![\w-])", longer.lower()) is not None


class ToldBy(StrictModel):
    """Told by a message when, for any one alternative, every group of phrases has at least one
    phrase in the message (bme/vocabulary.py PhraseGroupDetector)."""

    alternatives: List[List[List[Phrase]]] = Field(min_items=1)
    # Phrases that say the words mean something else: "pain running down my leg" tells of no run.
    unless: List[Phrase] = []
    # Phrases whose words the groups do not count where they stand, while the same words elsewhere
    # in the message still count: "calf raises" tells no sore calf, "hot packs" no hot leg.
    not_counting: List[Phrase] = []

    @validator("alternatives")
    def no_phrase_holds_another_of_its_group(cls, alternatives):
        """A phrase that holds a shorter phrase of its own group as whole words finds no message the
        shorter one misses ("had a fall" beside "a fall"). Only the groups: where an ``unless``
        phrase starts decides whether a negation before it takes it back, and a ``not_counting``
        phrase's whole span is what it holds back, so there a longer phrase can matter."""
        held = [
            f"{longer!r} holds {shorter!r}"
            for alternative in alternatives
            for group in alternative
            for longer in group
            for shorter in group
            if isinstance(longer, str) and isinstance(shorter, str) and holds_words(longer, shorter)
        ]
        if held:
            raise ValueError(f"phrases another phrase of the same group already finds: {'; '.join(held)}")
        return alternatives

    def vocabulary_terms(self) -> List[VocabularyTerm]:
        groups = [group for alternative in self.alternatives for group in alternative]
        groups += [self.unless, self.not_counting]
        return [phrase for group in groups for phrase in group if isinstance(phrase, VocabularyTerm)]


class QuestionCard(StrictModel):
    """A question people ask, the ways they ask it, and the facts that answer
    it. Facts stay the only source of clinical statements: a card selects and
    orders them and leads with a direct answer they support. An out-of-scope
    card names a subject the assistant does not cover."""

    id: constr(regex=r"^[a-z0-9_]+$")
    question: Text  # as a "did you mean" button shows it
    asked_as: List[Text] = Field(min_items=3)
    answer: Optional[CardAnswer] = None
    facts: List[Text] = []
    offers_plan: bool = False  # a personal question: offer the guided plan with the answer
    out_of_scope: bool = False
    # Out-of-scope cards only, and each has one: who can help with the subject, said to a patient
    # after the subject is declined ("A foot specialist or your doctor can help with this.").
    ask_instead: Optional[Text] = None
    # Out-of-scope cards only: words that name the subject ("gout", "sprained"). A question that
    # names it and none of the assistant's own subjects is declined however it is worded.
    named_by: List[Text] = []
    # Out-of-scope cards only: spaCy token patterns that name the subject like ``named_by`` does,
    # for wordings too many to list ("fell 8 ft", "a 12-foot fall").
    named_by_patterns: List[List[Dict[Text, Any]]] = []
    # Out-of-scope cards only: when its words decline a question that also names a subject the
    # assistant covers. "always": wherever they stand (a horse's bone bruise is still a horse's);
    # "when_asked": only in a sentence that asks ("can teriparatide help my bone marrow edema?"),
    # not told in the story ("I tried PRP and it did nothing. What now?"). Unset: never.
    outranks_covered_subjects: Optional[Literal["always", "when_asked"]] = None
    # Out-of-scope cards only: covered conditions (condition ids) without which its words name no
    # subject, and with which they decline the question: a car crash is no subject (it also brings
    # bone bruises), a spine fracture from one is spine trauma.
    only_with: List[Text] = []
    # Out-of-scope cards only: covered conditions (condition ids) with which its words name no
    # subject of its own: a bone density test after a spine fracture is the bone check the
    # assistant covers, not osteoporosis care without a fracture.
    not_with: List[Text] = []
    # Out-of-scope cards only: a painkiller asked about with this subject is a covered question
    # (whether anti-inflammatories slow a broken bone's healing), see ``eases_any_pain``.
    painkillers_covered: bool = False
    # Phrases that tell the subject together where no single word names it. On an out-of-scope
    # card (stopping a bone medicine taken for thin bones) they decline a question that names no
    # covered condition or finding, even when it names a covered treatment. On an in-scope card
    # they tell what a story asks whatever its last line matches best: a runner's stress fractures
    # that keep coming back, then "should I be worried?", ask why they keep coming.
    told_by: Optional[ToldBy] = None

    @validator("out_of_scope")
    def answer_and_facts_only_in_scope(cls, out_of_scope, values):
        if out_of_scope and (values.get("answer") or values.get("facts")):
            raise ValueError("an out-of-scope card has no answer and no facts")
        if not out_of_scope and not (values.get("answer") and values.get("facts")):
            raise ValueError("an in-scope card needs an answer and at least one fact")
        return out_of_scope

    @validator("ask_instead", always=True)
    def ask_instead_when_out_of_scope(cls, ask_instead, values):
        if bool(ask_instead) != bool(values.get("out_of_scope")):
            raise ValueError("an out-of-scope card, and only one, says who can help instead (ask_instead)")
        return ask_instead

    @validator("named_by", "named_by_patterns")
    def named_only_when_out_of_scope(cls, named_by, values):
        if named_by and not values.get("out_of_scope"):
            raise ValueError("only an out-of-scope card is named by words")
        return named_by

    @validator("outranks_covered_subjects")
    def outranks_only_when_named(cls, outranks, values):
        if outranks and not values.get("named_by"):
            raise ValueError("only a card named by words can outrank the covered subjects")
        return outranks

    @validator("only_with", "not_with")
    def conditions_only_when_named(cls, conditions, values):
        if conditions and not values.get("named_by"):
            raise ValueError("only a card named by words can list the conditions it comes or does not come with")
        return conditions


class VocabularyEntry(StrictModel):
    label: Text
    synonyms: List[Text] = Field(min_items=1)
    # False for a term too broad to make a message the assistant's own subject on its own
    # (crutches after a sprain, arthritis without its marrow lesions): see bme/questions.py.
    own_subject: bool = True
    # True for a painkiller, taken for any pain: asked about beside a subject the assistant does not
    # cover and no covered condition ("ibuprofen for my tendinitis"), it asks about that subject.
    eases_any_pain: bool = False
    # Body sites (body_site ids) where such a term is the assistant's subject after all: myeloma or
    # a tumour in the spine brings the spine fractures the assistant covers.
    own_subject_at: List[Text] = []
    # False for a finding that says what is not wrong (a normal X-ray): a story telling it with the
    # sign of a condition still points to that condition (bme/questions.py told_sign).
    says_what_is_wrong: bool = True
    # Broader terms of the same entity type that name this one when a message names both: "a
    # fracture of L3 (spondylolysis)" tells of one pars fracture, not of a spinal compression fracture too.
    includes: List[Text] = []
    # spaCy token patterns for wordings too many to list, matched like the synonyms: "a fracture
    # of L3", "edema in the lateral femoral condyle" (https://spacy.io/usage/rule-based-matching).
    # bme/vocabulary.py checks them when it builds its matcher.
    patterns: List[List[Dict[Text, Any]]] = []
    # Synonyms that measure, not name the term, right after a number: "fell 8 feet", "a 12-foot fall".
    units_after_a_number: List[Text] = []
    # Treatments only: the card (a question id) that answers a story telling the treatment as done
    # ("my father had a vertebroplasty two weeks ago", see asking.yml told_as_done) in place of the
    # cards on having it (``asked_before_by``: what it is, when it is done, whether it is worth it).
    # A card on what went wrong after it (new fractures, leaked cement) still answers.
    answered_after_by: Optional[Text] = None
    asked_before_by: List[Text] = []

    @validator("units_after_a_number")
    def units_are_synonyms(cls, units, values):
        unknown = set(units) - set(values.get("synonyms", []))
        if unknown:
            raise ValueError(f"not synonyms of the entry: {sorted(unknown)}")
        return units


class Topic(StrictModel):
    intent: Text
    label: Text
    # Topics whose facts also answer a question about a named treatment,
    # e.g. "does ESWT help?" may be answered by a procedure fact.
    related: List[Text] = []


class RedFlagMessage(StrictModel):
    patient: Text
    professional: Text


class PhraseGroups(ToldBy):
    """Phrase groups with a name: a red flag, a sign."""

    id: constr(regex=r"^[a-z0-9_]+$")


class RedFlag(PhraseGroups):
    """A red-flag category."""

    title: Text
    tier: Literal["emergency", "same_day"]
    message: RedFlagMessage
    references: List[Text] = Field(min_items=1)
    # A story that tells the sign gets its question answered after the urgent message, unless
    # the answer could undercut it: asked after black stools on naproxen, "should I keep taking
    # it?" would get "usually yes, for a short time" from the painkiller card.
    answered_after: bool = True
    # The card on the sign itself (a question id), which answers a story telling it, whatever else
    # the story asks or when it asks nothing: a thigh ache after years on alendronate gets the card
    # on bone medicines and thigh fractures, not the one on whether they work for marrow edema.
    answered_by: Optional[Text] = None


class Sign(PhraseGroups):
    """What a story tells that points to a condition it does not name: bone pain that comes with
    running points to a bone stress injury."""

    label: Text
    points_to: Text  # a condition id in vocabulary.yml
    # Out-of-scope cards the condition is often first called (an early Charcot foot called a
    # sprain), or whose words its story tells as history (the osteopenia before a knee's
    # insufficiency fracture): the sign is read even when the message names only those, but not
    # when it names a subject that is not one of them (a teen's disc protrusion on MRI is not a
    # mistaken strain).
    mistaken_for: List[Text] = []
    # MRI findings (finding ids in vocabulary.yml) the sign's story says more than: bone marrow
    # edema after an ankle was rolled is a bone bruise. Other named findings say more than a sign.
    told_with_findings: List[Text] = []
    # The card (a question id) that answers first a story telling the sign and naming no condition:
    # who tells a runner's bone pain without its name asks, first, whether it is a stress fracture.
    answered_by: Optional[Text] = None


class Button(StrictModel):
    title: Text
    payload: Text


class Message(StrictModel):
    text: Text
    # The wording for healthcare professionals, where a patient's would not fit them.
    professional: Optional[Text] = None
    buttons: List[Button] = []


class PlanQuestion(StrictModel):
    ask: Message
    invalid: Text  # re-ask with an example answer
    why: Text  # why the question matters


class PlanStepText(StrictModel):
    title: Text
    facts: List[Text] = Field(min_items=1)
    # Set on an option the plan does not propose: why not (the facts are then only cited).
    because: Optional[Text] = None


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
    pregnancy: Dict[str, Text]  # labels of the answers that are not "no" (bme.plan.PREGNANCY_ANSWERS)
    kidney_problems: Text
    cancer_history: Text


class PlanWording(StrictModel):
    overview_card: Text
    title: Text
    title_with_summary: text_with("summary")
    summary: PlanSummaryWording
    step_heading: text_with("number", "heading")
    headings: Dict[int, Text]
    urgent_heading: Text
    details_hint: Text
    steps: Dict[str, PlanStepText]
    etiology_words: Dict[str, List[Text]]
    questions: Dict[str, PlanQuestion]


class Disclaimers(StrictModel):
    clinical: Text
    professional: Text
    no_answer: Text

    def for_audience(self, audience: Optional[str]) -> str:
        return self.professional if audience == "professional" else self.clinical


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
    nothing_to_explain_yet: Text
    explanation_heading: Text
    evidence_card: text_with("citations", "kind", "strength", "reviewed")
    evidence_kinds: Dict[EvidenceKind, Text]

    @validator("evidence_kinds")
    def every_kind_named(cls, names):
        missing = set(EvidenceKind.__args__) - set(names)
        if missing:
            raise ValueError(f"name every evidence kind; missing {', '.join(sorted(missing))}")
        return names


class ReplyButtons(StrictModel):
    """Buttons the actions add to a reply."""

    make_plan: Button
    help: Button


class ChatPage(StrictModel):
    """The words of the web chat page around the chat (web/index.html)."""

    title: Text
    notice_label: Text
    input_hint: Text
    send_label: Text
    conversation_label: Text


class PlanPageWording(StrictModel):
    """The printable plan (bme/plan_page.py) and the button in the chat that opens it."""

    button: Text
    title: Text
    made_on: text_with("date")
    works_until: text_with("date")
    print_button: Text
    answers_heading: Text
    answer_labels: Dict[str, Text]  # by plan question (bme.plan.PLAN_SLOTS)
    yes: Text
    no: Text
    not_answered: Text
    pain_score: text_with("score")
    weeks: text_with("weeks")
    references_heading: Text
    red_flags_heading: Text
    red_flag_tiers: Dict[Literal["emergency", "same_day"], Text]
    expired: Text
    invalid: Text
    no_plan: Text
    unavailable: Text


class KnowledgeBase(StrictModel):
    references: Dict[str, Reference]
    facts: Dict[str, Fact]
    questions: Dict[str, QuestionCard]
    vocabulary: Dict[str, Dict[str, VocabularyEntry]]
    topics: Dict[str, Topic]
    red_flags: List[RedFlag]
    signs: List[Sign]
    disclaimers: Disclaimers
    plan: PlanWording
    messages: Dict[str, Message]
    buttons: ReplyButtons
    answer_wording: AnswerWording
    chat_page: ChatPage
    plan_page: PlanPageWording

    def label(self, entity: str, value: str) -> str:
        return self.vocabulary[entity][value].label

    def topic_for_intent(self, intent: str) -> Optional[str]:
        return next((name for name, topic in self.topics.items() if topic.intent == intent), None)


def spelled_out(phrases: Iterable[Phrase], vocabulary: Dict[str, Dict[str, VocabularyEntry]]) -> List[str]:
    """The word phrases of a group, each vocabulary term replaced by its entry's synonyms (its
    token patterns are matched apart, see token_patterns)."""
    words = []
    for phrase in phrases:
        if isinstance(phrase, VocabularyTerm):
            entity, value = phrase.entry
            words.extend(vocabulary[entity][value].synonyms)
        elif isinstance(phrase, str):
            words.append(phrase)
    return words


def token_patterns(phrases: Iterable[Phrase]) -> List[List[Dict[str, Any]]]:
    """The token patterns among the phrases of a group."""
    return [phrase.pattern for phrase in phrases if isinstance(phrase, TokenPattern)]


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


def _not_answered(questions: Dict[str, QuestionCard], card_id: str) -> bool:
    return card_id not in questions or questions[card_id].out_of_scope


def _load_vocabulary(path: Path) -> Dict[str, Dict[str, VocabularyEntry]]:
    vocabulary = {}
    for entity, values in _read_yaml(path).items():
        if not isinstance(values, dict):
            raise KnowledgeError(f"{path}: entry '{entity}': expected canonical ids with label and synonyms")
        vocabulary[entity] = {
            value: _parse(VocabularyEntry, data, path, f"{entity}.{value}") for value, data in values.items()
        }
    for entity, values in vocabulary.items():
        for value, entry in values.items():
            unknown = set(entry.own_subject_at) - set(vocabulary.get("body_site", {}))
            if unknown:
                raise KnowledgeError(
                    f"{path}: entry '{entity}.{value}': field 'own_subject_at': unknown body sites {sorted(unknown)}"
                )
            unknown = set(entry.includes) - set(values)
            if unknown:
                raise KnowledgeError(
                    f"{path}: entry '{entity}.{value}': field 'includes': unknown {entity} {sorted(unknown)}"
                )
            for field in ("answered_after_by", "asked_before_by"):
                if getattr(entry, field) and entity != "treatment":
                    raise KnowledgeError(f"{path}: entry '{entity}.{value}': field '{field}': treatments only")
    return vocabulary


def _load_messages(path: Path) -> dict:
    """The knowledge base's fields that messages.yml fills, by name."""
    return {
        "messages": _parse_mapping(Message, path, "messages"),
        "buttons": _parse_section(ReplyButtons, path, "buttons"),
        "answer_wording": _parse_section(AnswerWording, path, "answer_wording"),
        "chat_page": _parse_section(ChatPage, path, "chat_page"),
        "plan_page": _parse_section(PlanPageWording, path, "plan_page"),
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


def _check_vocabulary_terms(path: Path, entry: str, groups: ToldBy, vocabulary) -> None:
    for term in groups.vocabulary_terms():
        entity, value = term.entry
        if value not in vocabulary.get(entity, {}):
            raise KnowledgeError(f"{path}: entry '{entry}': unknown vocabulary term {term.vocabulary!r}")


def load_knowledge_base(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Read every knowledge file, validate each entry and cross-check ids."""
    directory = Path(directory)
    reference_files = sorted((directory / "references").glob("*.yml"))
    if not reference_files:
        raise KnowledgeError(f"{directory / 'references'}: no reference files found")
    reference_items = [item for path in reference_files for item in _parse_list(Reference, path, "references")]
    fact_files = sorted((directory / "facts").glob("*.yml"))
    if not fact_files:
        raise KnowledgeError(f"{directory / 'facts'}: no fact files found")
    fact_items = [item for path in fact_files for item in _parse_list(Fact, path, "facts")]
    question_items = [
        item
        for path in sorted((directory / "questions").glob("*.yml"))
        for item in _parse_list(QuestionCard, path, "questions")
    ]
    red_flag_items = _parse_list(RedFlag, directory / "red_flags.yml", "red_flags")
    sign_items = _parse_list(Sign, directory / "signs.yml", "signs")
    vocabulary = _load_vocabulary(directory / "vocabulary.yml")
    topics = _parse_mapping(Topic, directory / "topics.yml", "topics")
    disclaimers_path = directory / "disclaimers.yml"
    disclaimers = _parse(Disclaimers, _read_yaml(disclaimers_path), disclaimers_path, "disclaimers")
    wording = _load_messages(directory / "messages.yml")
    plan_path = directory / "plan.yml"
    plan = _parse(PlanWording, _read_yaml(plan_path), plan_path, "plan")

    references: Dict[str, Reference] = {}
    for path, ref in reference_items:
        if ref.id in references:
            raise KnowledgeError(f"{path}: entry '{ref.id}': field 'id': duplicate id across reference files")
        references[ref.id] = ref
    facts: Dict[str, Fact] = {}
    for path, fact in fact_items:
        if fact.id in facts:
            raise KnowledgeError(f"{path}: entry '{fact.id}': field 'id': duplicate id across fact files")
        _check_fact(path, fact, references, vocabulary, topics)
        facts[fact.id] = fact
    questions: Dict[str, QuestionCard] = {}
    for path, card in question_items:
        if card.id in questions:
            raise KnowledgeError(f"{path}: entry '{card.id}': field 'id': duplicate id across question files")
        for fact_id in card.facts:
            if fact_id not in facts:
                raise KnowledgeError(f"{path}: entry '{card.id}': field 'facts': unknown fact id {fact_id!r}")
        for field in ("only_with", "not_with"):
            unknown = set(getattr(card, field)) - set(vocabulary.get("condition", {}))
            if unknown:
                raise KnowledgeError(
                    f"{path}: entry '{card.id}': field '{field}': unknown conditions {sorted(unknown)}"
                )
        questions[card.id] = card
    told = [(path, card.id, card.told_by) for path, card in question_items if card.told_by]
    for path, entry, groups in told + [(path, item.id, item) for path, item in red_flag_items + sign_items]:
        _check_vocabulary_terms(path, entry, groups, vocabulary)
    for path, flag in red_flag_items:
        for ref in flag.references:
            if ref not in references:
                raise KnowledgeError(f"{path}: entry '{flag.id}': field 'references': unknown reference id {ref!r}")
        if flag.answered_by and (_not_answered(questions, flag.answered_by) or not flag.answered_after):
            raise KnowledgeError(
                f"{path}: entry '{flag.id}': field 'answered_by': {flag.answered_by!r} is no answered card, "
                "or the flag is not answered after"
            )
    for path, sign in sign_items:
        if sign.points_to not in vocabulary.get("condition", {}):
            raise KnowledgeError(
                f"{path}: entry '{sign.id}': field 'points_to': unknown condition id {sign.points_to!r}"
            )
        unknown = set(sign.told_with_findings) - set(vocabulary.get("finding", {}))
        if unknown:
            raise KnowledgeError(
                f"{path}: entry '{sign.id}': field 'told_with_findings': unknown finding ids {sorted(unknown)}"
            )
        not_declined = [card for card in sign.mistaken_for if card not in questions or not questions[card].out_of_scope]
        if not_declined:
            raise KnowledgeError(
                f"{path}: entry '{sign.id}': field 'mistaken_for': not out-of-scope cards {not_declined}"
            )
        if sign.answered_by and _not_answered(questions, sign.answered_by):
            raise KnowledgeError(
                f"{path}: entry '{sign.id}': field 'answered_by': {sign.answered_by!r} is no answered card"
            )
    for value, entry in vocabulary.get("treatment", {}).items():
        cards = {"answered_after_by": [entry.answered_after_by] if entry.answered_after_by else []}
        cards["asked_before_by"] = entry.asked_before_by
        for field, ids in cards.items():
            unanswered = [card for card in ids if _not_answered(questions, card)]
            if unanswered:
                raise KnowledgeError(
                    f"{directory / 'vocabulary.yml'}: entry 'treatment.{value}': field '{field}': "
                    f"no answered cards {unanswered}"
                )
    for key, step in plan.steps.items():
        for fact_id in step.facts:
            if fact_id not in facts:
                raise KnowledgeError(f"{plan_path}: entry '{key}': field 'facts': unknown fact id {fact_id!r}")
    if questions.get(plan.overview_card) is None or questions[plan.overview_card].out_of_scope:
        raise KnowledgeError(f"{plan_path}: field 'overview_card': {plan.overview_card!r} is no answered question card")
    return KnowledgeBase(
        references=references,
        facts=facts,
        questions=questions,
        vocabulary=vocabulary,
        topics=topics,
        red_flags=[flag for _, flag in red_flag_items],
        signs=[sign for _, sign in sign_items],
        disclaimers=disclaimers,
        plan=plan,
        **wording,
    )


class IndirectQuestion(StrictModel):
    lead_ins: List[Text] = Field(min_items=1)
    followed_by: List[Text] = Field(min_items=1)


class Request(StrictModel):
    openers: List[Text] = Field(min_items=1)
    asked_for: List[Text] = Field(min_items=1)
    phrases: List[Text] = Field(min_items=1)
    opening_words: List[Text] = Field(min_items=1)


class PlanRequest(StrictModel):
    verbs: List[Text] = Field(min_items=1)
    phrases: List[Text] = Field(min_items=1)
    advice: List[Text] = Field(min_items=1)


class AskingWords(StrictModel):
    """How people ask without a question mark (knowledge/asking.yml)."""

    question_starts: List[Text] = Field(min_items=1)
    indirect_question: IndirectQuestion
    request: Request
    other_options: List[Text] = Field(min_items=1)
    said_of_the_body: List[Text] = Field(min_items=1)
    told_as_done: List[Text] = Field(min_items=1)
    on_its_ground: List[Text] = Field(min_items=1)
    plan_request: PlanRequest


@lru_cache(maxsize=1)
def asking_words(path: Path = KNOWLEDGE_DIR / "asking.yml") -> AskingWords:
    """The words of asking, read once: retrieval reads every sentence with them."""
    try:
        return AskingWords(**_read_yaml(path))
    except ValidationError as error:
        raise KnowledgeError(f"{path}: {error}") from None


class SpeltRight(StrictModel):
    """Medical words that are no misspelling of a vocabulary word (knowledge/spelling.yml)."""

    words: List[constr(regex=r"^[a-z]+$")] = Field(min_items=1)


def words_spelt_right(path: Path = KNOWLEDGE_DIR / "spelling.yml") -> List[str]:
    try:
        return SpeltRight(**_read_yaml(path)).words
    except ValidationError as error:
        raise KnowledgeError(f"{path}: {error}") from None


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The project's knowledge base, loaded once per process."""
    return load_knowledge_base(KNOWLEDGE_DIR)
