"""Decide how to reply to a question: a question card, a "did you mean"
choice, or the topic the intent classifier found.

Plain Python, no Rasa: the actions pass in what the message said and what the
NLU made of it, and get back a decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, List, Optional, Sequence, Set, Tuple

from bme.answers import Context
from bme.knowledge import KnowledgeBase, PhraseGroups, QuestionCard, Sign, VocabularyEntry
from bme.meaning import sentence_encoder
from bme.retrieval import (
    ASKING,
    POINTING_BACK,
    CardMatch,
    QuestionIndex,
    any_of,
    asked_part,
    asks_a_question,
    question_spans,
    tells_a_story,
    tells_then_asks,
)
from bme.vocabulary import (
    BODY_SITE,
    MISTAKEN_FOR,
    NEGATED_TERM,
    PhraseGroupDetector,
    TermMatch,
    VocabularyMatcher,
    canonical_word,
    matcher_for,
    reports_normal_marrow,
    sign_detector_for,
    words_before,
)

# Card scores (bme/retrieval.py) at or above which a card is answered directly,
# at or above which the best card is answered with its close rivals offered after it,
# and at or above which a card is offered as a choice. Tuned on the dev split of
# tests/answers/real_questions.yml (make test-answers).
ANSWER_AT = 0.40
ANSWER_UNSURE_AT = 0.30
OFFER_AT = 0.25
# A subject the assistant does not cover is declined from this score when it is
# the best match: offering nearby covered questions would answer something else.
DECLINE_AT = 0.35
# A second card this close to the best makes the match a choice, not an answer,
# unless the two share a fact (their replies overlap, so either answers).
TIE_MARGIN = 0.05
MAX_CHOICES = 3
# How far below the best card a card on the condition the message names may rank and still
# answer first (see named_condition_first).
CONDITION_REACH = 0.15
# "what are its side effects?": a short question pointing back at the last subject.
SHORT_QUESTION_WORDS = 9
# "Is it cancer?", "could this be a stress fracture?": what "it" is, asked just before the name.
ASKS_WHAT_IT_IS = re.compile(
    r"\b(?:is|could|might|may|can)\s+(?:it|this|that)\s+(?:really\s+|actually\s+)?(?:be\s+)?(?:an?\s+)?$", re.IGNORECASE
)
# Vocabulary entity types that make a message the assistant's own subject ("ibuprofen after
# a broken arm" asks about ibuprofen), except the terms marked `own_subject: false` in
# knowledge/vocabulary.yml (too broad: crutches after a sprain).
OWN_SUBJECTS = ("condition", "treatment", "finding")
# What a message names when it says what is wrong: a sign it also tells adds nothing to it.
NAMED_DIAGNOSES = ("condition", "finding")
UNCOVERED = "uncovered"
# Words of one's own case: the first person ("my knee", "make me a plan", "what do we do next?");
# relatives and patients are the vocabulary's audience terms ("my dad", "this patient").
OWN_CASE = re.compile(r"\b(i|i'm|im|i've|ive|i'd|me|my|mine|myself|we|we're|us|our)\b", re.I)
CASE_AUDIENCES = {"patient", "caregiver"}
# "a patient" or "an elderly female patient" is anyone's case, as a clinician asks in general: up to
# four words between the article and the audience's word.
ANY_ONE_PERSON = re.compile(r"\b(?:a|an)(?:\s+[\w'-]+,?){0,4}\s+$", re.I)
# A question for what comes beyond the treatments a story tells, and a plan asked for beside
# another question (knowledge/asking.yml).
ASKS_FOR_OTHER_OPTIONS = re.compile(rf"\b{any_of(ASKING.other_options)}\b", re.I)
SAID_OF_THE_BODY = re.compile(rf"\bit\s+(?:\w+\s+)?{any_of(ASKING.said_of_the_body)}\b", re.I)
ON_ITS_GROUND = re.compile(rf"\b{any_of(ASKING.on_its_ground)}\b", re.I)
# The words before a treatment's name that tell it as done, at most three words away.
TOLD_AS_DONE = re.compile(rf"\b{any_of(ASKING.told_as_done)}\b(?:\W+\w+){{0,3}}\W*$", re.I)
TOLD_AS_DONE_REACH = 60  # characters before the name
PLAN_REQUEST = re.compile(
    rf"\b{any_of(ASKING.plan_request.verbs)}\b[^.?!]{{0,25}}\bplan\b"
    rf"|\b{any_of(ASKING.plan_request.phrases)}\b|\b{any_of(ASKING.plan_request.advice)}\b",
    re.I,
)


@dataclass(frozen=True)
class Reading:
    """One message, read once for the card decision: the vocabulary terms it names (``named``),
    the sign of a covered condition it tells (``sign``, see told_sign) and the out-of-scope cards
    whose words it uses (``uncovered``, see named_uncovered_subjects)."""

    text: str
    named: List[TermMatch]
    sign: Optional[Sign]
    uncovered: List[QuestionCard]

    @property
    def names_a_subject(self) -> bool:
        """A condition, finding, treatment or uncovered subject named, or a sign told: the message is
        about something, whether the assistant covers it or not."""
        return bool(self.sign or self.uncovered) or any(
            match.entity in (*NAMED_DIAGNOSES, "treatment") for match in self.named
        )

    @property
    def implied(self) -> List[str]:
        """Canonical words of the condition the sign points to, read as if the message named it."""
        return [canonical_word("condition", self.sign.points_to)] if self.sign else []


def read_message(kb: KnowledgeBase, text: str, named: Optional[Sequence[TermMatch]] = None) -> Reading:
    """``named``: the vocabulary terms of ``text``, when the caller has found them already."""
    named = list(matcher_for(kb).find(text) if named is None else named)
    return Reading(text, named, told_sign(kb, text, named), named_uncovered_subjects(kb, text, named))


@dataclass
class Decision:
    card: Optional[QuestionCard] = None  # answer this card
    choices: List[QuestionCard] = field(default_factory=list)  # offer these (after the card, if any)
    out_of_scope: Optional[QuestionCard] = None  # or say this subject is not covered (choices may follow)
    unrelated: bool = False  # or say what the assistant covers: the message names none of it
    score: float = 0.0  # the card's match, when the ranking chose it
    # The condition a sign told in place of its name, when a card on it answers or is offered: the
    # conversation goes on with it ("How long would she need to stop dancing?" after a dancer's
    # foot pain that now hurts on the walk to school).
    told_condition: Optional[str] = None

    @property
    def unsure(self) -> bool:
        """A card answered, or a subject declined, with rivals close behind it."""
        return bool((self.card or self.out_of_scope) and self.choices)


def asks_in_general(kb: KnowledgeBase, text: str) -> bool:
    """A question about anyone's case, not the asker's own or a relative's, nor a plan asked for:
    "what is the management approach for bone marrow edema?" or "for a patient with Charcot foot?",
    not "make me a plan", "what do we do next?" or "what should my dad do?"."""
    if not asks_a_question(text) or OWN_CASE.search(text) or asks_for_a_plan(text):
        return False
    named = matcher_for(kb).find(text)
    return not any(
        match.entity == "audience" and match.value in CASE_AUDIENCES and not ANY_ONE_PERSON.search(text[: match.start])
        for match in named
    )


def asks_for_a_plan(text: str) -> bool:
    """A plan asked for, or advice on one's own case that the plan gives ("What should we do?")."""
    return bool(PLAN_REQUEST.search(text))


def is_follow_up(text: str) -> bool:
    """A short question that points back at what was discussed."""
    return len(text.split()) <= SHORT_QUESTION_WORDS and bool(POINTING_BACK.search(text))


def points_back_at_a_treatment(kb: KnowledgeBase, text: str) -> bool:
    """A short question about the treatment discussed: one pointing back at it ("what are its side
    effects?") unless it names a treatment of its own ("can I take ibuprofen for it?") or asks what
    the finding is ("is it cancer?": a drug is not cancer), or one naming no subject at all ("what
    are the risks?")."""
    if len(text.split()) > SHORT_QUESTION_WORDS:
        return False
    named = matcher_for(kb).find(text)
    if POINTING_BACK.search(text):
        return not any(
            match.entity == "treatment"
            or (match.entity in NAMED_DIAGNOSES and ASKS_WHAT_IT_IS.search(text[: match.start]))
            for match in named
        )
    return asks_a_question(text) and not any(
        match.entity in (*NAMED_DIAGNOSES, "treatment", BODY_SITE) for match in named
    )


def decide_for_message(
    kb: KnowledgeBase,
    text: str,
    follow_up: bool = False,
    discussed: bool = False,
    given_treatments: Sequence[str] = (),
    carried_condition: Optional[str] = None,
) -> Decision:
    """The card that answers ``text``, the cards to offer, the subject not covered, or that it is
    about nothing the assistant covers. ``follow_up``: a short question pointing back at the
    treatment the conversation has (see decide); ``discussed``: the conversation already has a
    covered subject (see strays_from_its_subjects); ``given_treatments``: the treatments of the
    message's entities (see asked_treatments); ``carried_condition``: the condition earlier
    messages named (see goes_on_with)."""
    reading = read_message(kb, text)
    uncovered = uncovered_subject(kb, reading)
    if uncovered:
        return Decision(out_of_scope=uncovered)
    carried = goes_on_with(kb, reading, carried_condition)
    implied = reading.implied + ([canonical_word("condition", carried)] if carried else [])
    # Filter before keeping the best three: the card on the named treatment may rank fourth.
    ranked = index_for(kb).rank(text, limit=len(kb.questions), implied=implied)
    best_is_ours = bool(ranked) and not ranked[0].card.out_of_scope
    if strays_from_its_subjects(kb, reading, ranked[0].score if ranked else 0.0, discussed, best_is_ours):
        return Decision(unrelated=True)
    ranked = on_the_sites(kb, ranked, reading.named)
    if names_only_its_own_subjects(kb, reading):
        ranked = [match for match in ranked if not match.card.out_of_scope]
    treatments = asked_treatments(kb, text, reading.named, given_treatments)
    # A treatment the story tells, which no card fitting the message is about, leaves the cards to
    # its condition: "osteonecrosis of both hips from the dexamethasone" has no hip card on the drug.
    on_treatments = about(kb, ranked, treatments) if treatments else []
    if treatments and (on_treatments or treatments_asked_by_name(text, reading.named)):
        ranked = on_treatments
    else:
        conditions = {match.value for match in reading.named if match.entity == "condition"}
        if not treatments and (conditions or reading.implied):
            ranked = not_only_on(kb, ranked, told_treatments(kb, reading))
        told = {reading.sign.points_to} if reading.sign and reading.sign.told_with_findings else set()
        ranked = named_condition_first(kb, ranked, conditions or told or ({carried} if carried else set()))
        # A runner's bone pain told without its name asks, first, whether it is a stress fracture,
        # whatever its last line matches best ("how long will it take to heal?"). Measured on the
        # card decision of every question: always first won 12 and lost 1 (a runner whose
        # podiatrist found the fracture asked how to keep fit); within 0.15 of the best, one fewer.
        if not conditions and reading.sign:
            ranked = card_first(reading.sign.answered_by, ranked)
    # Phrases told together say what is asked, with a treatment named or not: a bisphosphonate
    # asked about with osteonecrosis asks whether it helps osteonecrosis, not marrow edema.
    ranked = card_first(question_told_by_story(kb, reading), ranked)
    if ranked:
        ranked = card_first(card_after_a_treatment_done(kb, reading, ranked[0].card), ranked)
    return with_told_condition(reading, decide(ranked[:MAX_CHOICES], follow_up))


def with_told_condition(reading: Reading, decision: Decision) -> Decision:
    """``decision`` with the condition the message's sign points to (see Decision.told_condition),
    unless the message names a condition of its own or the decision declines."""
    if not reading.sign or decision.out_of_scope or not (decision.card or decision.choices):
        return decision
    if any(match.entity == "condition" for match in reading.named):
        return decision
    return replace(decision, told_condition=reading.sign.points_to)


def card_first(card_id: Optional[str], ranked: Sequence[CardMatch]) -> List[CardMatch]:
    """The card ``card_id`` first, with the best score, wherever it ranked (unchanged without it)."""
    chosen = [match for match in ranked if match.card.id == card_id]
    if not chosen or ranked[0] is chosen[0]:
        return list(ranked)
    return [CardMatch(chosen[0].card, ranked[0].score), *[match for match in ranked if match is not chosen[0]]]


def card_after_a_treatment_done(kb: KnowledgeBase, reading: Reading, best: QuestionCard) -> Optional[str]:
    """The ``answered_after_by`` card of a treatment the message tells as done, when the best card
    is one on having it (``asked_before_by``): "my father had a vertebroplasty two weeks ago ... What
    should we do?" asks about the time after it, not when it is done."""
    for match in reading.named:
        entry = kb.vocabulary[match.entity][match.value]
        if match.entity == "treatment" and best.id in entry.asked_before_by and told_as_done(reading.text, match):
            return entry.answered_after_by
    return None


def told_as_done(text: str, match: TermMatch) -> bool:
    return bool(TOLD_AS_DONE.search(words_before(text, match.start, TOLD_AS_DONE_REACH)))


def told_treatments(kb: KnowledgeBase, reading: Reading) -> set:
    """The treatments a message's words name that are subjects of their own: crutches or a boot
    told in a story can still be what a question on them is about ("how do I use them safely?")."""
    return {
        match.value
        for match in reading.named
        if match.entity == "treatment" and kb.vocabulary["treatment"][match.value].own_subject
    }


def not_only_on(kb: KnowledgeBase, matches: Sequence[CardMatch], told: set) -> List[CardMatch]:
    """The matches less the cards whose question asks about nothing but treatments a story about
    a condition (named, or told by its sign) only tells: "a stress fracture ... Doctor ordered me
    to rest, ibuprofen, ice ... How did you deal?" asks how to get through the rest, not whether
    ibuprofen is safe. Without a condition the treatment is the story's subject: "My doctor
    suggested the oxygen chamber for my hip. What are the side effects?" asks about it."""
    return [match for match in matches if not asks_only_about(kb, match.card, told)]


def asks_only_about(kb: KnowledgeBase, card: QuestionCard, treatments: set) -> bool:
    """The card's question names a treatment, and none but ``treatments``."""
    named = named_in_its_question(kb, card, "treatment")
    return bool(named) and named <= treatments


def named_in_its_question(kb: KnowledgeBase, card: QuestionCard, entity: str) -> frozenset:
    """The values of ``entity`` a card's question names ("Can I take ibuprofen ...?": NSAIDs; "How are
    pelvic and sacral stress fractures treated?": the pelvis), read once per card (see prepare)."""
    cache = _question_terms.setdefault(entity, {})
    return _once_per_card(cache, kb, card, lambda: frozenset(matcher_for(kb).values(card.question, entity)))


def goes_on_with(kb: KnowledgeBase, reading: Reading, carried_condition: Optional[str]) -> Optional[str]:
    """The condition the conversation is about, read as if the message named it, when the message
    names no subject of its own, tells no sign of one and no subject the assistant does not cover:
    "is it safe for her to lift weights?" after a story of spine fractures asks about exercise with
    them, and "how long will it take to heal?" after one of a stress fracture about its healing.
    Not a condition that is the assistant's subject only with another (myeloma, arthritis): read
    into "what helps the pain?", it would decline the question as blood cancer or disc care."""
    if not carried_condition or reading.implied or reading.uncovered or names_its_own_subject(kb, reading.named):
        return None
    return carried_condition if kb.vocabulary["condition"][carried_condition].own_subject else None


def named_condition_first(kb: KnowledgeBase, ranked: Sequence[CardMatch], conditions: set) -> List[CardMatch]:
    """The matches with a card on one of ``conditions`` (those the message names, else the one its
    sign reads from a named finding, else the one it goes on with) first, when the best card is on
    none of them and that card is within CONDITION_REACH (a message naming a treatment has its
    cards chosen by it, see about): "my child has spondylolysis, what treatment works best?" asks
    about spondylolysis, not about the evidence for bone marrow edema treatments in general.
    Measured on the card decision of every split: reach 0.15 or 0.20 won one question (0.10 none);
    reading a card's conditions from its wordings alone won one more, but took "will transient
    osteoporosis come back?" from the recurrence card. End to end it won v2603 and lost v802, a
    story whose unsure card the intent's topic had answered. A sign's condition read from a
    finding (bone marrow edema after a twist is a bone bruise) won v4019 and lost none; from any
    sign, it also took an injury with a normal X-ray from the X-ray card."""
    if not ranked or not conditions or ranked[0].card.out_of_scope or conditions_of(kb, ranked[0].card) & conditions:
        return list(ranked)
    for match in ranked[1:]:
        if ranked[0].score - match.score > CONDITION_REACH:
            break
        if conditions_of(kb, match.card) & conditions:
            return [CardMatch(match.card, ranked[0].score), *[m for m in ranked if m is not match]]
    return list(ranked)


def conditions_of(kb: KnowledgeBase, card: QuestionCard) -> frozenset:
    """The conditions a card's wordings name or its facts are about, read once per card (see prepare)."""
    return _once_per_card(_card_conditions, kb, card, lambda: named_or_about(kb, card, "condition"))


def decide(matches: Sequence[CardMatch], follow_up: bool) -> Decision:
    """A follow-up (a short question pointing back at the subject the
    conversation already has) stays with that subject: the topic path. An
    uncovered subject that matches best is declined, with the covered questions close behind it
    offered in case they were meant; a clear best card is
    answered; a likely one is answered with its rivals offered after it (a
    question asked in a long story seldom matches one wording clearly, and a
    likely answer helps more than a menu); weak matches become choices."""
    if not matches or follow_up:
        return Decision()
    best = matches[0]
    close = [
        m
        for m in matches[1:]
        if best.score - m.score < TIE_MARGIN and not m.card.out_of_scope and not shares_a_fact(m.card, best.card)
    ]
    if best.card.out_of_scope and best.score >= DECLINE_AT:
        return Decision(out_of_scope=best.card, choices=[m.card for m in close])
    if best.score >= ANSWER_AT and not close:
        return Decision(card=best.card, score=best.score)
    offered = [m.card for m in matches if m.score >= OFFER_AT and not m.card.out_of_scope]
    if not offered or offered[0] is not best.card or best.score < ANSWER_UNSURE_AT:
        return Decision(choices=offered[:MAX_CHOICES])
    # Choices that would all lead to the best card's facts add nothing.
    rivals = [card for card in offered[1:MAX_CHOICES] if not shares_a_fact(card, best.card)]
    return Decision(card=best.card, choices=rivals, score=best.score)


def card_on_the_subject(kb: KnowledgeBase, decision: Decision, subject: Context) -> bool:
    """A likely card (one that matches well but has rivals close behind) whose facts are about the
    treatment or condition the message names: it answers the sentence that asks, while the intent's
    topic is read from the whole story ("the X-ray was normal, how could it be missed?" after a
    stress fracture is the signs card, not the diagnosis topic's first three facts; "what are her
    chances for recovery?" after an aunt's spine fracture caused by thin bones is no question on
    causes). Measured on every split of tests/answers/real_questions.yml: also requiring the card's
    facts to answer the intent's topic answered one question fewer (three won, two lost)."""
    if not decision.card or decision.score < ANSWER_AT:
        return False
    facts = [kb.facts[fact] for fact in decision.card.facts]
    return any(subject.condition in fact.conditions or subject.treatment in fact.treatments for fact in facts)


def shares_a_fact(card: QuestionCard, other: QuestionCard) -> bool:
    return bool(set(card.facts) & set(other.facts))


def about(kb: KnowledgeBase, matches: Sequence[CardMatch], treatments: Sequence[str]) -> List[CardMatch]:
    """The matches that can answer a question on the named ``treatments`` (all when none is
    named): a card about one of them by its facts or its wordings. "Does hyperbaric oxygen
    help?" must not get the iloprost card, nor a general one; "still on opioids, is she too
    old for vertebroplasty?" may get the vertebroplasty card."""
    if not treatments:
        return list(matches)
    return [match for match in matches if treatments_of(kb, match.card) & set(treatments)]


def treatments_of(kb: KnowledgeBase, card: QuestionCard) -> frozenset:
    """The treatments a card's wordings name or its facts are about, read once per card (see prepare)."""
    return _once_per_card(_card_treatments, kb, card, lambda: named_or_about(kb, card, "treatment"))


def named_or_about(kb: KnowledgeBase, card: QuestionCard, entity: str) -> frozenset:
    """The values of ``entity`` ("treatment", "condition") that a card's wordings name or its facts list."""
    wordings = (card.question, *card.asked_as)
    named = {value for text in wordings for value in matcher_for(kb).values(text, entity)}
    return frozenset(named.union(*(getattr(kb.facts[fact], entity + "s") for fact in card.facts)))


def on_the_sites(kb: KnowledgeBase, matches: Sequence[CardMatch], named: Sequence[TermMatch]) -> List[CardMatch]:
    """The matches that may answer a message about the body sites it names: a card whose question
    is about one part of the body (the pelvis, the spine, the hip) does not answer a message that
    names only others ("do I need crutches for a pelvic stress fracture?" is no answer to a story
    about a stress fracture in the foot). All of them when the message names no site."""
    sites = sites_named(named)
    return [match for match in matches if fits_the_sites(sites_of(kb, match.card), sites)]


def sites_named(named: Sequence[TermMatch]) -> set:
    return {match.value for match in named if match.entity == "body_site"}


def fits_the_sites(card_sites: frozenset, sites: set) -> bool:
    """A card about no site in particular fits every message, and every card a message naming no
    site; a card about some sites fits a message naming one of them."""
    return not sites or not card_sites or bool(card_sites & sites)


def sites_of(kb: KnowledgeBase, card: QuestionCard) -> frozenset:
    """The body sites a card's question names."""
    return named_in_its_question(kb, card, "body_site")


def _once_per_card(cache: dict, kb: KnowledgeBase, card: QuestionCard, read: Callable[[], frozenset]) -> frozenset:
    """What ``read`` finds about ``card``, read once per loaded knowledge base and card."""
    key = (id(kb), card.id)
    if key not in cache:
        cache[key] = read()
    return cache[key]


def uncovered_subject(kb: KnowledgeBase, reading: Reading) -> Optional[QuestionCard]:
    """The subject the assistant does not cover that a message names ("what foods should I
    avoid with gout?", "when can she do gymnastics after her sprain?", a runner's story of
    Achilles pain that ends "I need some hope of when I can run again"), when it names none of
    the assistant's own (or one that outranks them: an animal's injury, or a treatment without
    checked sources that the message asks about): declined however it is worded."""
    outranking = [
        card
        for card in reading.uncovered
        if card.outranks_covered_subjects == "always"
        or card.only_with
        or (card.outranks_covered_subjects == "when_asked" and named_where_it_asks(kb, reading, card))
    ]
    if outranking:
        return outranking[0]
    # A subject named in words says what the message is about more closely than one told by
    # phrases together: osteopenia care, not the broken hip it fears. A report that calls the
    # marrow normal rules out the stress fracture suspected before the MRI.
    if reading.uncovered and (
        reports_normal_marrow(reading.text)
        or not (
            names_its_own_subject(kb, painkillers_left_out(kb, reading, asked_about(kb, reading.text, reading.named)))
            or tells_a_mistaken_sign(reading)
        )
    ):
        return reading.uncovered[0]
    return told_uncovered_subject(kb, reading)


def painkillers_left_out(kb: KnowledgeBase, reading: Reading, terms: Sequence[TermMatch]) -> List[TermMatch]:
    """``terms`` less the painkillers (``eases_any_pain``), unless the message tells the sign of a
    covered condition or an uncovered subject whose painkiller questions are covered (a broken
    bone's, ``painkillers_covered``): "400 milligrams of ibuprofen twice a day for tendonitis, is
    that safe?" asks about the pain of a subject the assistant does not cover."""
    if reading.implied or any(card.painkillers_covered for card in reading.uncovered):
        return list(terms)
    return [term for term in terms if not kb.vocabulary[term.entity][term.value].eases_any_pain]


def named_where_it_asks(kb: KnowledgeBase, reading: Reading, card: QuestionCard) -> bool:
    """The out-of-scope card's words stand in a sentence of the message that asks (see asked_part)."""
    return card.id in subject_matcher_for(kb).values(asked_part(reading.text), UNCOVERED)


def tells_a_mistaken_sign(reading: Reading) -> bool:
    """The message tells the sign of a condition often mistaken for what it names, and names no
    other uncovered subject: "diabetic, my foot is red and swollen but hardly hurts, the GP says
    it's a sprain" is a possible Charcot foot."""
    return bool(reading.sign) and all(card.id in reading.sign.mistaken_for for card in reading.uncovered)


def told_uncovered_subject(kb: KnowledgeBase, reading: Reading) -> Optional[QuestionCard]:
    """The out-of-scope subject a message tells by its card's phrases together (``told_by``: "on
    Prolia for osteoporosis, is it dangerous to stop?"), when it names no condition or finding of
    its own (an arthritis named is its care, see names_its_own_subject) and tells no sign of one
    ("osteoporosis and my back hurts" may be a spine fracture): the covered treatment such a
    message names does not make it the assistant's subject."""
    if reading.implied or names_its_own_subject(kb, reading.named, entities=NAMED_DIAGNOSES):
        return None
    told = told_subject_detector_for(kb, out_of_scope=True).detect(reading.text)
    return kb.questions[told.id] if told else None


def question_told_by_story(kb: KnowledgeBase, reading: Reading) -> Optional[str]:
    """The in-scope card whose phrases the message tells together (``told_by``), which is what the
    story asks whatever its last line matches best: "I keep getting stress fractures ... Should I
    be worried?" asks why they keep coming, not what a stress fracture is."""
    told = told_subject_detector_for(kb, out_of_scope=False).detect(reading.text)
    return told.id if told else None


def named_uncovered_subjects(kb: KnowledgeBase, text: str, named: Sequence[TermMatch]) -> List[QuestionCard]:
    """The out-of-scope cards whose words ``text`` uses (see uncovered_words), less those whose
    words name a subject only with a covered condition the message does not name (``only_with``: a
    car crash told with a knee's bone bruise is no spine trauma) or name none with one it names
    (``not_with``: a bone density test after a spine fracture), and those about other body sites
    than the message names (a cortisone shot in the hip is no care of knee arthritis, see
    on_the_sites)."""
    conditions = {match.value for match in named if match.entity == "condition"}
    sites = sites_named(named)
    words = uncovered_words(kb, text, named, sites)
    cards = [kb.questions[card] for card in dict.fromkeys(word.value for word in words)]
    return [
        card
        for card in cards
        if (not card.only_with or conditions & set(card.only_with))
        and not conditions & set(card.not_with)
        and fits_the_sites(sites_of(kb, card), sites)
    ]


def uncovered_words(kb: KnowledgeBase, text: str, named: Sequence[TermMatch], sites: set) -> List[TermMatch]:
    """The words of out-of-scope subjects in ``text``, less those inside a condition or finding of
    the assistant's own that it names (``named``, at the body ``sites`` it names): "cartilage" in "a
    fracture under the cartilage" names no knee arthritis, while "bone cancer" names both a cause of
    marrow edema and bone cancer."""
    own = [match for match in named if match.entity in NAMED_DIAGNOSES and names_as_its_own(kb, match, sites)]
    return [
        word
        for word in subject_matcher_for(kb).find(text)
        if not any(term.start <= word.start and word.end <= term.end for term in own)
    ]


def asked_about(kb: KnowledgeBase, text: str, named: Sequence[TermMatch]) -> List[TermMatch]:
    """The terms that say what a message is about: a treatment counts only where the message
    asks (a drug told in the story, "I take calcium and vitamin D" before a question on osteopenia,
    or morphine after a sprain, does not make the question one on that drug); conditions, findings
    and sites count anywhere."""
    asked_text = asked_part(text)
    if asked_text == text:  # a one-sentence message is all asked: ``named`` already holds its terms
        return list(named)
    asked = set(matcher_for(kb).values(asked_text, "treatment"))
    return [match for match in named if match.entity != "treatment" or match.value in asked]


def told_only_in_the_story(kb: KnowledgeBase, text: str, treatment: str) -> bool:
    """The message's words name ``treatment`` (a canonical id), and none of its asking sentences
    does: "numerous anti-inflammatory medicines have been no help ... can you give me any
    information?" asks for no NSAID facts. A button's payload names its treatment without words."""
    named = matcher_for(kb).find(text)
    asked = {match.value for match in asked_about(kb, text, named) if match.entity == "treatment"}
    return any(match.value == treatment for match in named) and treatment not in asked


def asked_treatments(kb: KnowledgeBase, text: str, named: Sequence[TermMatch], given: Sequence[str]) -> List[str]:
    """The treatments the cards must be about (see about): those the asking sentences name when
    they name a subject of their own, else every one the message names when an asking sentence
    points back ("this", "it"). A son's anti-inflammatory told in the story does not make "is this
    a normal timeline for healing of a bone bruise?" a question on NSAIDs, nor "how can we keep him
    busy while he rests?" one, while "How would you treat this patient?" after a case on zoledronic
    acid is one on zoledronic acid, and "what else can be done?" after a story of paracetamol is one
    on none of the story's treatments. Measured on the card decision: +2 (a son's pars fractures in
    a brace; a daughter's foot in a cast), −1 (a story whose questions never point back to the
    Fosamax it refuses). "It", then what is said of the body ("hope it gets better"), points back
    at the body, not at the story's drug: +1 (a hiker's foot after ibuprofen). ``named``: the
    vocabulary terms found in ``text``; ``given``: the treatments of the message's entities, which
    count when its words name none (a button's payload carries its treatment without naming it in
    words)."""
    if not any(match.entity == "treatment" for match in named):
        return list(given)
    spans = question_spans(text)
    asked = named_in_questions(named, spans)
    asking = [text[start:end] for start, end in spans]
    asks_past_them = any(ASKS_FOR_OTHER_OPTIONS.search(sentence) for sentence in asking)
    points_elsewhere = bool(asking) and not any(
        POINTING_BACK.search(SAID_OF_THE_BODY.sub("", sentence)) for sentence in asking
    )
    if names_its_own_subject(kb, asked):
        chosen = asked
    elif asks_past_them or points_elsewhere:
        chosen = []
    else:
        chosen = named
    return list(dict.fromkeys(match.value for match in chosen if match.entity == "treatment"))


def treatments_asked_by_name(text: str, named: Sequence[TermMatch]) -> bool:
    """A sentence that asks names a treatment ("does dexamethasone help?"), not only the story."""
    return any(match.entity == "treatment" for match in named_in_questions(named, question_spans(text)))


def named_in_questions(named: Sequence[TermMatch], spans: Sequence[Tuple[int, int]]) -> List[TermMatch]:
    """The terms of ``named`` that stand in the asking sentences at ``spans`` (see question_spans)."""
    return [match for match in named if any(start <= match.start < end for start, end in spans)]


def told_sign(kb: KnowledgeBase, text: str, named: Sequence[TermMatch]) -> Optional[Sign]:
    """The sign of a covered condition ``text`` tells (knowledge/signs.yml): "pain in my hip and
    groin when running" points to a bone stress injury. None when the message names a condition
    or an MRI finding, which says more than a sign; an X-ray that showed nothing says less (a teen
    pitcher's months of low back pain with "X-rays were negative"), and a named condition the
    sign's condition includes (vocabulary.yml ``includes``) says less too: a young tennis player's
    low back pain that "may be a stress fracture" is spondylolysis, and so does a finding the sign
    is told with (``told_with_findings``): bone marrow edema after a rolled ankle is a bone bruise.
    Nor a sign of a condition the message denies: "it isn't a stress fracture, I can run 5 miles"."""
    diagnoses = {
        match.value
        for match in named
        if match.entity in NAMED_DIAGNOSES and kb.vocabulary[match.entity][match.value].says_what_is_wrong
    }
    signs = sign_detector_for(kb).told(text)
    if signs:
        denied = set(matcher_for(kb).values(text, "condition", denied=True))
        signs = [sign for sign in signs if sign.points_to not in denied]
    return next((sign for sign in signs if diagnoses <= says_less_than(kb, sign)), None)


def says_less_than(kb: KnowledgeBase, sign: Sign) -> Set[str]:
    """The named conditions and findings that ``sign`` says more than (see told_sign)."""
    return {*kb.vocabulary["condition"][sign.points_to].includes, *sign.told_with_findings}


def strays_from_its_subjects(
    kb: KnowledgeBase, reading: Reading, best: float, discussed: bool, best_is_ours: bool = True
) -> bool:
    """A message that asks but names no condition, treatment or MRI finding the assistant covers (a
    painkiller alone is none: "he hurt his shoulder lifting boxes ... has taken naproxen every
    day since. Is that safe?", see painkillers_left_out), tells no sign of one (see told_sign),
    and is a story, or a question that no card matches closely (``best``: the best card's
    score). Told at length, a story on one of the assistant's subjects names it or tells its
    sign; one that does neither is about something else (a child's forearm hit by a ball, a
    dancer's sesamoid), however closely its last line ("Is this really necessary?", "What should
    I do?") matches a card. A question must match well enough to be answered without rivals:
    "what's the best way to lose weight?" comes near "best way to help a bruised bone heal", and
    a likely card is no answer to it. A short story, one sentence told and one asked, is about
    something else when it is not on the assistant's ground (see on_its_ground), however well "I
    have a rash on my arm. How long will it last?" matches a card. A story that asks nothing strays
    in the same way ("my finger has been swollen for two months ... I climb five days a week"),
    unless its best card is an out-of-scope one (``best_is_ours`` false), which declines it by name.
    ``discussed``: the conversation already has a covered subject, and a message after it ("it's
    been six weeks and I still limp", "can I drive?") goes on with it. Measured on the card
    decision of every question: won 6 stories off the assistant's ground, lost 1 (both feet broken,
    in boots and on crutches, told without naming a stress fracture)."""
    story = tells_a_story(reading.text)
    if discussed or reading.implied or not (asks_a_question(reading.text) or story and best_is_ours):
        return False
    if names_its_own_subject(kb, painkillers_left_out(kb, reading, reading.named)):
        return False
    if story or best < ANSWER_AT:
        return True
    return tells_then_asks(reading.text) and not on_its_ground(kb, reading)


def on_its_ground(kb: KnowledgeBase, reading: Reading) -> bool:
    """A short story that names a body part, a painkiller, or a scan, pain or injury (see
    knowledge/asking.yml on_its_ground): "My MRI came back. What does it mean?" asks the assistant
    about its own subject, "My hair has been falling out. Is it serious?" about something else."""
    return bool(
        sites_named(reading.named) or names_its_own_subject(kb, reading.named) or ON_ITS_GROUND.search(reading.text)
    )


def names_its_own_subject(
    kb: KnowledgeBase, named: Sequence[TermMatch], entities: Sequence[str] = OWN_SUBJECTS
) -> bool:
    """The message names a condition, treatment or finding (``entities``) the assistant covers, or
    one it covers at a body site the message also names (myeloma in the spine)."""
    sites = sites_named(named)
    return any(match.entity in entities and names_as_its_own(kb, match, sites) for match in named)


def names_as_its_own(kb: KnowledgeBase, match: TermMatch, sites: set) -> bool:
    """The term is one of the assistant's subjects, or one at a body site the message names (``sites``)."""
    term = kb.vocabulary[match.entity][match.value]
    return term.own_subject or bool(sites.intersection(term.own_subject_at))


def names_only_its_own_subjects(kb: KnowledgeBase, reading: Reading) -> bool:
    """Subjects the assistant covers, named or told by a sign (see told_sign), and none it
    does not: no wording of an uncovered subject may decline it ("my foot fracture has
    a bone growth stimulator; does it work?", a young mother's hip pain with thin bones), while
    "is PEMF covered by insurance?" is left to the cards to decide."""
    covered = names_its_own_subject(kb, reading.named) or bool(reading.implied)
    return covered and (not reading.uncovered or tells_a_mistaken_sign(reading))


_indexes = {}
_subject_matchers = {}
_told_subject_detectors = {}
_card_treatments = {}
_card_conditions = {}
_question_terms = {}  # entity -> the card cache of named_in_its_question


def prepare(kb: KnowledgeBase) -> None:
    """Build what answering a question reads (the card index with its wordings' sentence vectors,
    the uncovered subjects' words, each card's treatments, conditions and body sites) at start-up:
    otherwise the first user waits for it (the vectors take about ten seconds when they are not
    kept from an earlier start)."""
    index_for(kb)
    subject_matcher_for(kb)
    told_subject_detector_for(kb, out_of_scope=True)
    told_subject_detector_for(kb, out_of_scope=False)
    sign_detector_for(kb)
    for card in kb.questions.values():
        treatments_of(kb, card)
        named_in_its_question(kb, card, "treatment")
        conditions_of(kb, card)
        sites_of(kb, card)


def subject_matcher_for(kb: KnowledgeBase) -> VocabularyMatcher:
    """Finds the words that name the out-of-scope cards' subjects."""
    if id(kb) not in _subject_matchers:
        named = {
            card.id: VocabularyEntry(label=card.question, synonyms=card.named_by, patterns=card.named_by_patterns)
            for card in kb.questions.values()
            if card.named_by
        }
        # "The MRI didn't show a Morton's neuroma" and "he thought he had sprained it" name no subject.
        _subject_matchers[id(kb)] = VocabularyMatcher(
            {UNCOVERED: named}, deniable=(UNCOVERED,), denied_by=(NEGATED_TERM, MISTAKEN_FOR)
        )
    return _subject_matchers[id(kb)]


def told_subject_detector_for(kb: KnowledgeBase, out_of_scope: bool) -> PhraseGroupDetector[PhraseGroups]:
    """Finds the subjects told by phrases together: the out-of-scope ones (see
    told_uncovered_subject) or the in-scope ones (see question_told_by_story)."""
    key = (id(kb), out_of_scope)
    if key not in _told_subject_detectors:
        told = [
            PhraseGroups(id=card.id, **card.told_by.dict())
            for card in kb.questions.values()
            if card.told_by and card.out_of_scope == out_of_scope
        ]
        _told_subject_detectors[key] = PhraseGroupDetector(told, kb.vocabulary)
    return _told_subject_detectors[key]


def index_for(kb: KnowledgeBase) -> QuestionIndex:
    """One index per loaded knowledge base: built once (see prepare)."""
    if id(kb) not in _indexes:
        _indexes[id(kb)] = QuestionIndex(
            list(kb.questions.values()), matcher_for(kb).canonical_text, sentence_encoder()
        )
    return _indexes[id(kb)]
