"""Match a message to the question cards of ``knowledge/questions/``.

Real people tell their story first and ask last, misspell, and use lay words.
So in a story the sentences that ask are scored, each with the story's
subject (the conditions and body sites it names), the best one winning ("Is
that true?" also with the sentence before it, which says what "that" is).
Three views are combined. Two are lexical, on the message with vocabulary
synonyms replaced by their canonical ids ("zometa" and "zoledronic acid" are one
word here): TF-IDF of words and word pairs, and of character n-grams for typos.
The third is meaning (bme/meaning.py): sentence vectors of the asking sentences
and of the whole message, for questions that share no word with a card's
wordings ("how long until I can walk normally?"). A card scores as its
best-matching wording (its question or one of the ways people ask it) in each
view. No model is downloaded: scikit-learn comes with Rasa, the encoder's
weights with the install.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from bme.knowledge import QuestionCard, asking_words
from bme.meaning import SentenceEncoder

# A sentence ends at . ! ? or a line break; people's stories have several. Not inside brackets:
# "a metatarsal stress reaction (fracture? don't know)" is an aside of the sentence, not a question.
# An ellipsis character ends one too, with or without a space after it: "any suggestions on keeping
# fit…btw I am doing a race in April".
SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+(?![^()\n]*\))|(?<=\u2026)(?=\w)|\n+")
# Words that say nothing about the subject: without them, "how do I renew my
# passport" shares nothing with "can I go running?". "Why" and "where" are not among them:
# they ask for a cause and a place ("why does this keep happening?" is no question on where).
FUNCTION_WORDS = frozenset(
    "a an the i me my mine we our you your he she him her his they them their it its this that these those "
    "is are am was were be been being do does did doing have has had having to of in on at by for from with "
    "and or but so if as about into than then there here just very really also please hi hello thanks thank "
    "can could would should will shall may might must what how when which who whom whose "
    # Words of asking, not of the subject: "what do you think is causing this?" is no question
    # about "I think I broke my finger", nor "does it really do something?" about "did I do
    # something to cause it?".
    "think thought know wonder wondering wondered something anything anyone anybody someone somebody "
    "ideas suggestions advice".split()
)
# Words of two letters or more: "I'm", "don't", "it's" leave "m", "t", "s" behind.
WORD = re.compile(r"\w\w+")
# "What causes it?", "Is that true?": words pointing back at what was said before.
# Not the "it" of "is it wise to ...", whose subject is what follows, nor "this" of "at this stage".
POINTING_BACK = re.compile(
    r"\b(?:it(?!\s+\w+\s+to\b)|its|it's|(?:this|that)(?!\s+(?:stage|point|time|age|moment)\b)"
    r"|they|them|those|these|the drug|the treatment|the difference)\b",
    re.I,
)
# A story's question: the sentences that ask (the rest tells the story), with the words of
# asking of knowledge/asking.yml.
ASKING = asking_words()


def any_of(phrases: Sequence[str]) -> str:
    """A regex group for any of ``phrases``, a space standing for any run of spaces."""
    return "(?:" + "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in phrases) + ")"


QUESTION_START = re.compile(rf"{any_of(ASKING.question_starts)}\b", re.I)
INDIRECT_QUESTION = re.compile(
    rf"\b{any_of(ASKING.indirect_question.lead_ins)}\s+{any_of(ASKING.indirect_question.followed_by)}\b", re.I
)
REQUEST = re.compile(
    rf"\b{any_of(ASKING.request.openers)}\b[^.?!]{{0,20}}?\b{any_of(ASKING.request.asked_for)}\b"
    rf"|\b{any_of(ASKING.request.phrases)}\b|^{any_of(ASKING.request.opening_words)}\b",
    re.I,
)
# "mris", "fractures", "bones": a plural matches its singular.
PLURAL = re.compile(r"(?<=[a-z]{3})s$(?<!ss)(?<!us)(?<!is)")
# "X-ray", "x ray", "xrays" and "x-rayed" are one word: the two-letter rule would keep only "ray".
X_RAY = re.compile(r"\bx[\s-]?ray(?:s|ed)?\b")
# Who speaks or who said what ("my doctor says", vocabulary audience ids) says
# nothing about what is asked.
SPEAKER = re.compile(r"audience_")
# What a story is about (vocabulary ids of conditions, findings, body sites, treatments and the
# other medicines of `health`, see bme/vocabulary.py canonical_text): "What is it?" at the end of
# a story about a bone bruise in the knee is a question about a bone bruise in the knee (or a drug
# it names), and "which painkillers are safe?" after "he takes warfarin" one with a blood thinner.
SUBJECT = re.compile(r"\b(?:condition|finding|body_site|treatment|health)_\w+")
# A statement this short ("six weeks", "my knee", "tell me more") answers or
# steers the conversation; the intent classifier reads it, not the cards.
MIN_STATEMENT_WORDS = 3
# Sentences that make a message a story (see tells_a_story).
STORY_SENTENCES = 3
# The most sentences of a story the ranking reads, its last: each is matched and encoded, so a
# pasted 10,000-character story would otherwise outlast the action server's 3-second timeout. The
# longest real question of tests/answers has 19.
SENTENCES_READ = 40
# A question read with the sentence before it weighs a little less than the
# question alone: its own words say best what is asked (tuned on the dev split).
CONTEXT_WEIGHT = 0.9
# Weights of the views in a card's score (tuned on tests/answers/real_questions.yml, dev split):
# the lexical views share LEXICAL_WEIGHT, words and characters alike.
WORD_WEIGHT = 0.5
CHARACTER_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.6
MEANING_WEIGHT = 0.4
# A story's whole text also counts in the meaning view (its vector carries the subject the
# question leaves out: "How long do I rest?"), but only when a sentence of it comes this close to
# some card: otherwise a vague "What now?" would get whichever card is nearest the story's subject.
STORY_MEANING_FROM = 0.3
# It counts a little less than the sentence that asks, so that in a near tie the question wins over
# the story's subject ("My MRI says bone marrow edema in the tibial plateau. Do I need surgery?" is a
# question on surgery, not on what the edema is). Measured on every split of the real questions:
# 0.95 and 0.97 won two, lost none; 0.92 and lower began to lose.
WHOLE_STORY_MEANING_WEIGHT = 0.95
# Scores closer than this are a tie the lexical view cannot call (see near_ties_by_meaning). One
# card added moved a clinician's case by 0.00003, enough to flip its answer. Measured on the card
# decision of every real question: 0.001 changed 14 decisions, 0.002 changed 22, each winning one
# and losing none; 0.005 changed 43 and lost one.
NEAR_TIE = 0.002


@dataclass(frozen=True)
class CardMatch:
    card: QuestionCard
    score: float  # 0..1: cosine similarity of the best wording


def content_words(text: str) -> str:
    words = WORD.findall(X_RAY.sub("xray", text.lower()))
    return " ".join(PLURAL.sub("", word) for word in words if word not in FUNCTION_WORDS and not SPEAKER.match(word))


def asks(sentence: str) -> bool:
    """The sentence asks something, if only "What do you think?"."""
    return bool(
        sentence.endswith("?")
        or QUESTION_START.match(sentence)
        or INDIRECT_QUESTION.search(sentence)
        or REQUEST.search(sentence)
    )


def is_question(sentence: str) -> bool:
    """The sentence asks about something it names: what the cards are matched against."""
    return bool(content_words(sentence)) and asks(sentence)


def sentences(text: str) -> List[str]:
    return [part.strip() for part in SENTENCE_END.split(text or "") if part.strip()]


def question_spans(text: str) -> List[Tuple[int, int]]:
    """Where the sentences that ask stand in ``text``, as character offsets."""
    spans, position = [], 0
    for part in sentences(text):
        start = text.index(part, position)
        position = start + len(part)
        if is_question(part):
            spans.append((start, position))
    return spans


def asks_a_question(text: str) -> bool:
    """Any of its sentences asks: "I sprained my ankle" does not, "I sprained it, now what?" and a
    story ending "What should I do?" do."""
    return any(asks(part) for part in sentences(text))


def tells_a_story(text: str) -> bool:
    """Several sentences: what happened, and often what they want to know."""
    return len(sentences(text)) >= STORY_SENTENCES


def tells_then_asks(text: str) -> bool:
    """A sentence that tells something, and one that asks: "My hair has been falling out. Is it serious?"."""
    parts = sentences(text)
    return any(asks(part) for part in parts) and not all(asks(part) for part in parts)


def _readings(story: List[str], number: int) -> List[Tuple[str, float]]:
    """The question at ``number``, weighted 1, and, when it points back ("Is
    that true?"), the question with the sentence before it, which says what
    "that" is, weighted CONTEXT_WEIGHT."""
    question = story[number]
    if number and POINTING_BACK.search(question):
        return [(question, 1.0), (f"{story[number - 1]} {question}", CONTEXT_WEIGHT)]
    return [(question, 1.0)]


def asked_readings(story: List[str]) -> List[Tuple[str, float]]:
    """The readings (see _readings) of every sentence of ``story`` that asks."""
    return [reading for number, part in enumerate(story) if is_question(part) for reading in _readings(story, number)]


def asked_part(text: str) -> str:
    """What a story asks: its asking sentences, each with the sentence before when it points back.
    A message of one sentence is all asked."""
    story = sentences(text)
    if len(story) < 2:
        return text
    return " ".join(reading for reading, _ in asked_readings(story))


def read_sentences(text: str) -> List[str]:
    """The sentences the ranking reads: the last SENTENCES_READ, where a long story asks."""
    return sentences(text)[-SENTENCES_READ:]


def _meaning_parts(text: str, story: List[str]) -> List[Tuple[str, float]]:
    """What the meaning view encodes of a message, as written: a one-sentence message; in a
    story (its sentences read, see read_sentences), the sentences that ask (see _readings), or
    every sentence when none asks."""
    if len(story) < 2:
        return [(text, 1.0)]
    return asked_readings(story) or [(part, 1.0) for part in story]


class QuestionIndex:
    """TF-IDF and sentence-vector index over every wording of every card."""

    def __init__(self, cards: Sequence[QuestionCard], normalise: Callable[[str], str], encoder: SentenceEncoder):
        self._canonical = normalise
        self._encoder = encoder
        self._cards = list(cards)
        wordings = [(index, text) for index, card in enumerate(self._cards) for text in (card.question, *card.asked_as)]
        self._owner = np.array([index for index, _ in wordings])
        texts = [content_words(normalise(text)) for _, text in wordings]
        self._words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self._characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        if texts:
            self._word_matrix = self._words.fit_transform(texts)
            self._character_matrix = self._characters.fit_transform(texts)
            self._meaning_matrix = encoder.encode_kept([text for _, text in wordings])

    def _similarities(self, normalised: List[str]) -> np.ndarray:
        """Rows: content words of texts; columns: wordings."""
        words = normalize(self._words.transform(normalised)) @ self._word_matrix.T
        characters = normalize(self._characters.transform(normalised)) @ self._character_matrix.T
        return WORD_WEIGHT * words.toarray() + CHARACTER_WEIGHT * characters.toarray()

    def _parts(self, story: List[str], whole: str) -> List[Tuple[str, float]]:
        """What is scored, as content words with a weight: a one-sentence message
        whole; in a story (its sentences read), the sentences that ask (see _readings), or every
        sentence and the whole when none asks, each with the story's subject."""
        if len(story) < 2:
            return [(content_words(whole), 1.0)]
        subject = content_words(" ".join(dict.fromkeys(SUBJECT.findall(whole))))
        asked = asked_readings(story)
        readings = asked or [(part, 1.0) for part in story]
        own = [(content_words(self._canonical(part)), weight) for part, weight in readings]
        scored = [(f"{words} {subject}", weight) for words, weight in own if words]
        return scored if asked else [(content_words(whole), 1.0), *scored]

    def _by_card(self, similarities: np.ndarray, weights: Sequence[float]) -> np.ndarray:
        """Each card's best wording against the best-matching part (rows of ``similarities``)."""
        by_wording = (similarities * np.array(weights)[:, None]).max(axis=0)
        by_card = np.full(len(self._cards), -1.0)
        np.maximum.at(by_card, self._owner, by_wording)
        return by_card

    def rank(self, text: str, limit: int = 3, implied: Sequence[str] = ()) -> List[CardMatch]:
        """The best cards for ``text``, best first, each scored in each view by its best
        wording against the best-matching part of the message. ``implied``: canonical words of
        subjects the message points to without naming them (a runner's bone pain, a stress
        fracture), read as if it named them."""
        whole = self._canonical(text)
        if not self._cards or len(content_words(whole).split()) < MIN_STATEMENT_WORDS and not is_question(text.strip()):
            return []
        whole = " ".join([whole, *implied])
        story = read_sentences(text)
        parts, weights = zip(*self._parts(story, whole), strict=True)
        lexical = self._by_card(self._similarities(list(parts)), weights)
        said, stresses = zip(*_meaning_parts(text, story), strict=True)
        meaning = self._by_card(self._encoder.encode(said) @ self._meaning_matrix.T, stresses)
        if len(story) > 1 and meaning.max() >= STORY_MEANING_FROM:
            meaning = np.maximum(
                meaning,
                self._by_card(self._encoder.encode([text]) @ self._meaning_matrix.T, [WHOLE_STORY_MEANING_WEIGHT]),
            )
        by_card = LEXICAL_WEIGHT * lexical + MEANING_WEIGHT * meaning
        order = near_ties_by_meaning(by_card, meaning)[:limit]
        return [CardMatch(self._cards[index], float(by_card[index])) for index in order]


def near_ties_by_meaning(scores: np.ndarray, meaning: np.ndarray) -> np.ndarray:
    """Card indices, best score first, with runs of scores less than NEAR_TIE apart ordered by
    the meaning view. The lexical view cannot call such a tie: its IDF is fitted on every card's
    wordings, so adding any card shifts every score a little. The meaning view of a card does
    not depend on the other cards."""
    order = np.argsort(-scores, kind="stable")
    breaks = np.flatnonzero(-np.diff(scores[order]) >= NEAR_TIE) + 1
    return np.concatenate([run[np.argsort(-meaning[run], kind="stable")] for run in np.split(order, breaks)])
