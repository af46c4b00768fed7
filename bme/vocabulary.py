"""Find the knowledge base's medical terms and red-flag phrases in free text.

A blank English spaCy pipeline tokenises the text and PhraseMatchers (on the
lower-cased token text) find every synonym, so multi-word terms ("balloon
kyphoplasty"), abbreviations ("ESWT") and common misspellings map to the
canonical ids in ``knowledge/vocabulary.yml``; a token Matcher finds the
wordings its entries give as patterns ("a fracture of L3"). No Rasa import: the NLU
component in ``components/`` and the actions both use this module.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Dict, Generic, Iterable, List, Optional, Sequence, Set, Tuple, TypeVar

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spellchecker import SpellChecker

from bme.knowledge import (
    KnowledgeBase,
    Phrase,
    PhraseGroups,
    RedFlag,
    Sign,
    VocabularyEntry,
    spelled_out,
    token_patterns,
    words_spelt_right,
)


@dataclass(frozen=True)
class TermMatch:
    entity: str
    value: str
    start: int  # character offsets into the original text
    end: int
    text: str


# Words that deny what follows: "no longer breast-feeding", "the MRI did not show a stress fracture",
# or only warn of it: "shin splints; keep running and you're going to get stress fractures" tells
# no stress fracture.
NEGATION = (
    r"no|not|never|no longer|don't|do not|haven't|have not|without|didn't|did not|doesn't|does not|isn't"
    r"|wasn't|free of|negative for|ruled out"
    r"|going to get|gonna get|(?:could|can|will) (?:turn into|lead to|become)"
)
# A condition or finding is denied when a negation stands right before it, with at most a few
# of these words between ("there is no bony contusion", "no evidence of fracture or necrosis",
# "no history of falls or broken bones"), other bones listed with it among them ("not any pelvic
# or vertebral fractures").
# A closed list: "not sure if it is a stress fracture" and "I can't run with my stress fracture"
# still name their subject.
NEGATED_TERM = re.compile(
    rf"\b(?:{NEGATION})\s+(?:(?:a|an|the|any|have|has|had|it|it's|is|was|been|show|shows|showed|shown|see|seen"
    r"|sign|signs|evidence|history|previous|prior|falls|of|for|obvious|definite|definitive|definitely|lesion|lesions|acute|significant|new"
    r"|bony|fracture|fractures|or|nor"
    r"|other|pelvic|hip|femur|femoral|rib|leg|ankle|foot|wrist|skull|spinal|vertebral),?\s+){0,5}$",
    re.IGNORECASE,
)
NEGATION_REACH = 200  # characters before a term that denied() reads
# What someone took a pain for before they knew better: "he thought he had sprained it" (then the
# doctor found Kienböck's disease), "I thought it was just shin splints". It takes back only the
# subjects the assistant does not cover: "the doctor thought it was a stress fracture" tells the
# diagnosis.
MISTAKEN_FOR = re.compile(
    r"\b(?:thought|assumed|presumed)\s+(?:(?:i|he|she|we|they|it|it's|i'd|he'd|she'd|we'd|they'd|was|had"
    r"|just|only|simply|a|an|the|my|his|her|some|simple|been),?\s+){0,5}$",
    re.IGNORECASE,
)
# A finding a report calls normal right after naming it: "Marrow signal is normal", "bone marrow
# signal intensity is preserved", "the marrow signal remains unremarkable".
NORMAL_AFTER_TERM = re.compile(
    r"^\s+(?:(?:signal|intensity)\s+){0,2}(?:is|was|are|were|remains|remained|appears|appeared|looks|looked|seems|seemed)"
    r"\s+(?:normal|unremarkable|negative|preserved|within normal limits)\b",
    re.IGNORECASE,
)
# The bone's marrow, in a report that calls it normal (see NORMAL_AFTER_TERM).
MARROW = re.compile(r"\bmarrow\b", re.IGNORECASE)
# "no stress fracture or stress reaction": a term listed after a denied one is denied too.
LISTED_AFTER = re.compile(r"^\s*(?:,|or|nor)\s+(?:a\s+|an\s+|any\s+)?$", re.IGNORECASE)
DENIABLE = ("condition", "finding")
# A body site named inside a longer term still counts as a site (see VocabularyMatcher._matches).
BODY_SITE = "body_site"
# A word of this many letters or more that is neither English nor a vocabulary word is read as
# the vocabulary word it is this close to (difflib ratio): "ostenonecrosis", "meniscis", "vetebral".
MIN_MISSPELT_LETTERS = 7
MISSPELLING_CUTOFF = 0.85
SPELLINGS_KEPT = 4096


# A letter's period that ends a sentence ("I take vitamin D. Is it enough?"): spaCy keeps a
# single letter and its period as one token, an initial, so "vitamin D." named no vitamin D.
LETTER_BEFORE_PERIOD = r"(?<=\b[A-Za-z])\."


def _blank_english():
    """spaCy's blank English, with a single letter's period split off as punctuation: names in the
    vocabulary end in letters far more often than the messages use initials."""
    nlp = spacy.blank("en")
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex([*nlp.Defaults.suffixes, LETTER_BEFORE_PERIOD]).search
    nlp.tokenizer.rules = {
        text: tokens for text, tokens in nlp.tokenizer.rules.items() if not re.fullmatch(r"[A-Za-z]\.", text)
    }
    return nlp


class SpellingReader:
    """Reads a misspelt word as the known word it stands for: "ostenonecrosis" as osteonecrosis,
    "numbess" as numbness. Only a word of MIN_MISSPELT_LETTERS or more that is not English."""

    def __init__(self, nlp, known_words: Set[str]):
        self._nlp = nlp
        self._words = set(known_words)
        english()  # loaded with the matcher, not at the first user's message
        # Per word, so a long-running server keeps only the recent ones.
        self._as_spelt = lru_cache(maxsize=SPELLINGS_KEPT)(self._spelling_of)

    def _spelling_of(self, word: str) -> Optional[str]:
        if len(word) < MIN_MISSPELT_LETTERS or not word.isalpha() or word in self._words:
            return None
        if not english().unknown([word]):
            return None
        close = difflib.get_close_matches(word, self._words, n=1, cutoff=MISSPELLING_CUTOFF)
        return close[0] if close else None

    def read(self, doc: Doc) -> Doc:
        """``doc`` with misspelt known words put right (same tokens, so offsets hold)."""
        words = [self._as_spelt(token.lower_) or token.text for token in doc]
        if words == [token.text for token in doc]:
            return doc
        return Doc(self._nlp.vocab, words=words, spaces=[bool(token.whitespace_) for token in doc])


def _alphabetic_words(phrases: Iterable[Doc]) -> Set[str]:
    return {token.lower_ for phrase in phrases for token in phrase if token.is_alpha}


def _pattern_words(patterns: Iterable[List[dict]]) -> Set[str]:
    """The words token patterns spell out ({LOWER: sacrum}, {LOWER: {IN: [navicular, ...]}}):
    "navicualr" is read as navicular though no synonym lists it."""
    words = set()
    for token in (token for pattern in patterns for token in pattern if "LOWER" in token):
        spelt = token["LOWER"]
        words.update(word for word in (spelt.get("IN", []) if isinstance(spelt, dict) else [spelt]) if word.isalpha())
    return words


class VocabularyMatcher:
    """Longest-match lookup of vocabulary synonyms."""

    def __init__(
        self,
        vocabulary: Dict[str, Dict[str, object]],
        read_misspellings: bool = True,
        deniable: Sequence[str] = DENIABLE,
        denied_by: Sequence[re.Pattern] = (NEGATED_TERM,),
    ):
        """``read_misspellings``: find "ostenonecrosis" as osteonecrosis. The trainer's data checks
        and merge match strictly: what they annotate must be written in the vocabulary.
        ``deniable``: the entity types that the words before them can take back, ``denied_by``:
        the patterns of such words (a negation, see NEGATED_TERM)."""
        self._deniable = tuple(deniable)
        self._denied_by = tuple(denied_by)
        self._nlp = _blank_english()
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._patterns = Matcher(self._nlp.vocab, validate=True)  # a wrong pattern stops the load, named
        self._labels: Dict[int, tuple] = {}
        self._units = {
            (entity, value): {unit.lower() for unit in entry.units_after_a_number}
            for entity, values in vocabulary.items()
            for value, entry in values.items()
            if entry.units_after_a_number
        }
        # (entity, broader value) -> the narrower value that includes it, when both are named.
        self._included_in = {
            (entity, broader): value
            for entity, values in vocabulary.items()
            for value, entry in values.items()
            for broader in entry.includes
        }
        words = set()
        for entity, values in vocabulary.items():
            for value, entry in values.items():
                key = f"{entity}:{value}"
                phrases = list(self._nlp.tokenizer.pipe(sorted({value.replace("_", " "), *entry.synonyms})))
                self._matcher.add(key, phrases)
                if entry.patterns:
                    self._patterns.add(key, entry.patterns)
                self._labels[self._nlp.vocab.strings[key]] = (entity, value)
                words |= _alphabetic_words(phrases) | _pattern_words(entry.patterns)
        self._spelling = SpellingReader(self._nlp, words) if read_misspellings else None

    def _read(self, text: str) -> Tuple[Doc, Doc]:
        """The text as typed, and as read with misspelt vocabulary words put right (same tokens)."""
        doc = self._nlp.make_doc(_normalise_typography(text))  # one character for one: offsets hold
        return doc, self._spelling.read(doc) if self._spelling else doc

    def find(self, text: str) -> List[TermMatch]:
        """The terms ``text`` names, without the conditions and findings it denies: one term per
        word, as the NLU entities must be."""
        return [match for match, is_denied in self._matches(text) if not is_denied]

    def _matches(self, text: str, sites_within: bool = False) -> List[Tuple[TermMatch, bool]]:
        """Every term found, and whether the words around it deny it ("no bone contusion", "marrow
        signal is normal").
        ``sites_within``: also the body sites inside longer terms ("a fracture in my spine" names a
        spinal fracture and, within it, the spine), which the NLU entities leave out (one term per word)."""
        text = text or ""
        doc, read = self._read(text)
        # An empty Matcher warns at every call (spaCy W036): most vocabularies have no patterns.
        found = [*self._matcher(read), *(self._patterns(read) if len(self._patterns) else [])]
        spans = [(read[start:end], match_id) for match_id, start, end in found]
        chosen = spacy.util.filter_spans([span for span, _ in spans])
        ids = {(span.start, span.end): match_id for span, match_id in spans}
        matches, denied_until = [], None
        typed = doc.text  # spaCy joins the tokens at every call: once, not once per term
        for chosen_span in chosen:
            entity, value = self._labels[ids[(chosen_span.start, chosen_span.end)]]
            if self._measures(chosen_span, self._units.get((entity, value))):
                continue
            span = doc[chosen_span.start : chosen_span.end]  # the words as typed
            is_denied = entity in self._deniable and (
                denied(typed, span.start_char, self._denied_by)
                or bool(NORMAL_AFTER_TERM.match(typed[span.end_char :]))
                or (denied_until is not None and bool(LISTED_AFTER.match(typed[denied_until : span.start_char])))
            )
            if is_denied:
                denied_until = span.end_char
            matches.append(
                (
                    TermMatch(entity, value, span.start_char, span.end_char, text[span.start_char : span.end_char]),
                    is_denied,
                )
            )
        matches = self._narrowed(matches)
        if sites_within:
            matches += self._sites_inside(doc, spans, [match for match, is_denied in matches if not is_denied])
        return sorted(matches, key=lambda found: found[0].start)

    @staticmethod
    def _measures(span: Span, units: Optional[set]) -> bool:
        """The span is a unit right after a number ("8 feet", "12-foot"), not the term it spells."""
        if not units or span.text.lower() not in units:
            return False
        before = [token for token in span.doc[max(span.start - 2, 0) : span.start] if token.text != "-"]
        return bool(before) and before[-1].like_num

    def _narrowed(self, matches: List[Tuple[TermMatch, bool]]) -> List[Tuple[TermMatch, bool]]:
        """A broader term read as the narrower one the message also names (``includes`` in the
        vocabulary): the same thing, named twice."""
        named = {(match.entity, match.value) for match, is_denied in matches if not is_denied}
        narrowed = []
        for match, is_denied in matches:
            narrower = self._included_in.get((match.entity, match.value))
            if narrower and (match.entity, narrower) in named:
                match = replace(match, value=narrower)
            narrowed.append((match, is_denied))
        return narrowed

    def _sites_inside(
        self, doc: Doc, spans: List[Tuple[Span, int]], named: List[TermMatch]
    ) -> List[Tuple[TermMatch, bool]]:
        site_ids = {
            (span.start, span.end): match_id for span, match_id in spans if self._labels[match_id][0] == BODY_SITE
        }
        # The longest site wins, as outside longer terms: "tibial plateau" is the knee, not the shin.
        longest = spacy.util.filter_spans([span for span, match_id in spans if (span.start, span.end) in site_ids])
        sites = []
        for span in longest:
            _, value = self._labels[site_ids[(span.start, span.end)]]
            typed = doc[span.start : span.end]
            if any(
                term.entity != BODY_SITE and term.start <= typed.start_char and typed.end_char <= term.end
                for term in named
            ):
                sites.append((TermMatch(BODY_SITE, value, typed.start_char, typed.end_char, typed.text), False))
        return sites

    def canonical_text(self, text: str) -> str:
        """``text`` lower-cased with every synonym replaced by one word for its id:
        "zometa" and "zoledronic acid" both become "treatment_zoledronate". Denied terms too:
        a story ruling out a stress fracture is still about what a stress fracture is not."""
        parts, last = [], 0
        for match, _ in self._matches(text):
            parts += [text[last : match.start], f" {canonical_word(match.entity, match.value)} "]
            last = match.end
        return "".join([*parts, text[last:]]).lower()

    def values(self, text: str, entity: str, denied: bool = False) -> List[str]:
        """Canonical ids of one entity type, in order of first mention; ``denied``: those the text
        denies ("it isn't a stress fracture") instead of those it names."""
        seen: List[str] = []
        for match, is_denied in self._matches(text, sites_within=entity == BODY_SITE):
            if is_denied == denied and match.entity == entity and match.value not in seen:
                seen.append(match.value)
        return seen


def canonical_word(entity: str, value: str) -> str:
    """The one word canonical_text puts for a vocabulary term: "condition_stress_fracture"."""
    return f"{entity}_{value}"


@lru_cache(maxsize=1)
def english() -> SpellChecker:
    """An English word list (pyspellchecker's) with the medical words it lacks that lie close to
    a vocabulary word (knowledge/spelling.yml): a word on it is no misspelling of a medical term."""
    checker = SpellChecker()
    checker.word_frequency.load_words(words_spelt_right())
    return checker


def denied(text: str, start: int, denied_by: Sequence[re.Pattern] = (NEGATED_TERM,)) -> bool:
    """Whether the words just before the term at ``start`` deny it (in the term's own clause;
    apostrophes and hyphens straight; a negation unless ``denied_by`` says more). Only the last NEGATION_REACH
    characters can hold a negation and the five words after it: a long story is not searched again
    from its start for every term."""
    before = words_before(text, start, NEGATION_REACH)
    return any(pattern.search(before) for pattern in denied_by)


def reports_normal_marrow(text: str) -> bool:
    """Whether a report in ``text`` calls the marrow normal ("Marrow signal is normal"): then the
    MRI showed none of the marrow findings the assistant covers, whatever was suspected before it."""
    return any(NORMAL_AFTER_TERM.match(text[marrow.end() :]) for marrow in MARROW.finditer(text))


def words_before(text: str, end: int, reach: int) -> str:
    """At most the last ``reach`` characters of ``text`` before ``end``, from the start of a word."""
    start = max(0, end - reach)
    while 0 < start < end and not text[start - 1].isspace() and not text[start].isspace():
        start += 1
    return text[start:end]


# The intent a red flag of each tier is classified as: the NLU rule sets it,
# the action reads the tier back when only the classifier recognised a red flag.
RED_FLAG_INTENTS = {"emergency": "report_red_flag", "same_day": "report_same_day_red_flag"}
# What a PhraseGroupDetector finds: red flags or signs.
Told = TypeVar("Told", bound=PhraseGroups)


class PhraseGroupDetector(Generic[Told]):
    """Finds the first item (a red flag, a sign) a message tells.

    An item is told when, for one of its alternatives, every phrase group has at
    least one phrase in the message: "fever" alone is no red flag, but "fever"
    together with "bone pain" is, unless one of its ``unless`` phrases is there too. The first
    told item in the given order wins. Misspelt phrase words count ("incontinance").
    """

    def __init__(self, items: Sequence[Told], vocabulary: Dict[str, Dict[str, VocabularyEntry]]):
        self._nlp = _blank_english()
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._patterns = Matcher(self._nlp.vocab, validate=True)  # a wrong pattern stops the load, named
        self._items = list(items)
        words = set()
        for item in self._items:
            for a_index, alternative in enumerate(item.alternatives):
                for g_index, group in enumerate(alternative):
                    words |= self._add(f"{item.id}|{a_index}|{g_index}", group, vocabulary)
            for field in ("unless", "not_counting"):
                if getattr(item, field):
                    self._add(f"{item.id}|{field}", getattr(item, field), vocabulary)
        self._spelling = SpellingReader(self._nlp, words)

    def _add(self, key: str, group: Sequence[Phrase], vocabulary: Dict[str, Dict[str, VocabularyEntry]]) -> Set[str]:
        """Match ``group`` under ``key``; the words its phrases spell, to read misspelt."""
        phrases = list(self._nlp.tokenizer.pipe(spelled_out(group, vocabulary)))
        self._matcher.add(key, phrases)
        patterns = token_patterns(group)
        if patterns:
            self._patterns.add(key, patterns)
        return _alphabetic_words(phrases) | _pattern_words(patterns)

    def detect(self, text: str) -> Optional[Told]:
        """The first item ``text`` tells, or None."""
        return next(iter(self.told(text)), None)

    def told(self, text: str) -> List[Told]:
        """Every item ``text`` tells, in the given order."""
        return self._items_with(text, missing=0)

    def told_in_part(self, text: str) -> List[Told]:
        """Every item ``text`` tells all but one phrase group of, keeping the first group, which
        names the sign itself: "can't put weight on it" without a fall or a sudden worsening."""
        return self._items_with(text, missing=1)

    def _items_with(self, text: str, missing: int) -> List[Told]:
        doc = self._spelling.read(self._nlp.make_doc(_normalise_typography(text or "")))
        spans: Dict[str, List[Tuple[int, int]]] = defaultdict(list)
        typed = doc.text
        for match_id, start, end in [*self._matcher(doc), *self._patterns(doc)]:
            key = self._nlp.vocab.strings[match_id]
            # "I've never broken a bone" tells no break: a denied ``unless`` phrase takes nothing back.
            if not (key.endswith("|unless") and denied(typed, doc[start].idx)):
                spans[key].append((start, end))
        hits = set(spans)
        return [
            item
            for item in self._items
            if f"{item.id}|unless" not in hits and self._groups_hit(item, _counted(item, spans, hits), missing)
        ]

    @staticmethod
    def _groups_hit(item: Told, hits: Set[str], missing: int) -> bool:
        """Whether one alternative has its first group and all its other groups but ``missing``."""
        for a_index, alternative in enumerate(item.alternatives):
            hit = [f"{item.id}|{a_index}|{g_index}" in hits for g_index in range(len(alternative))]
            if hit[0] and hit.count(False) <= missing:
                return True
        return False


def _counted(item: Told, spans: Dict[str, List[Tuple[int, int]]], hits: Set[str]) -> Set[str]:
    """``hits`` less the item's keys found only inside a phrase of its ``not_counting`` (most
    items have none, and their hits stand as found)."""
    masks = spans.get(f"{item.id}|not_counting")
    if not masks:
        return hits
    own = f"{item.id}|"
    return {
        key
        for key in hits
        if not key.startswith(own)
        or any(not any(m_start <= start and end <= m_end for m_start, m_end in masks) for start, end in spans[key])
    }


# Curly apostrophes and the Unicode hyphens (a non-breaking hyphen in "acute\u2011phase", pasted from
# a web page) read as the ASCII ones the vocabulary is written with: one character for one.
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2010": "-", "\u2011": "-"})


def _normalise_typography(text: str) -> str:
    return text.translate(_TYPOGRAPHY)


_matchers: Dict[int, VocabularyMatcher] = {}
_detectors: Dict[int, PhraseGroupDetector[RedFlag]] = {}
_sign_detectors: Dict[int, PhraseGroupDetector[Sign]] = {}


def matcher_for(kb: KnowledgeBase) -> VocabularyMatcher:
    """One matcher per loaded knowledge base: building one takes a while."""
    if id(kb) not in _matchers:
        _matchers[id(kb)] = VocabularyMatcher(kb.vocabulary)
    return _matchers[id(kb)]


def red_flag_detector_for(kb: KnowledgeBase) -> PhraseGroupDetector[RedFlag]:
    """Detects the red flags (knowledge/red_flags.yml), emergencies first."""
    if id(kb) not in _detectors:
        _detectors[id(kb)] = PhraseGroupDetector(kb.red_flags, kb.vocabulary)
    return _detectors[id(kb)]


def sign_detector_for(kb: KnowledgeBase) -> PhraseGroupDetector[Sign]:
    """Detects the signs of covered conditions a story tells without naming them (knowledge/signs.yml)."""
    if id(kb) not in _sign_detectors:
        _sign_detectors[id(kb)] = PhraseGroupDetector(kb.signs, kb.vocabulary)
    return _sign_detectors[id(kb)]


# "I'm a GP", "as a physio", "I work as a nurse": a clinician says who they are.
# "My surgeon said ..." names someone else's profession, not the user's, and so does "as soon
# as the doctor told me ...": "as the" is no self-description.
SELF_DESCRIPTION = re.compile(
    r"\b((i'?m|i am|im)( an?| the)?|(as|i work as|working as|being)( an?)?)\s*$", re.IGNORECASE
)
# "Physician here." and "Hi, physio here, ...": the forum way of saying who one is, with the
# profession opening a sentence ("the doctor here told me ..." names someone else).
HERE_AFTER = re.compile(r"^\s*here\b", re.IGNORECASE)
OPENS_A_SENTENCE = re.compile(r"(?:^|[.!?]\s*|\b(?:hi|hello|hey)\b[,!.]?\s*)(?:an?\s+)?$", re.IGNORECASE)
PROFESSIONAL = "professional"
# "I'm a professional dancer" names another trade: the bare word claims a health profession only
# when no other word follows it in the clause ("I'm a professional, so give me the details").
TRADE_AFTER = re.compile(r"^\s+(?!(?:and|here|who|with|in|at|asking|working|so|but|too|myself)\b)[a-z]", re.IGNORECASE)


def claimed_audience(kb: KnowledgeBase, text: str) -> Optional[str]:
    """The audience the user says they belong to, if they say it: a profession
    counts only when the user describes themself with it."""
    for match in matcher_for(kb).find(text):
        if match.entity != "audience":
            continue
        if match.text.lower() == PROFESSIONAL and TRADE_AFTER.match(text[match.end :]):
            continue
        before = _normalise_typography(text[: match.start])
        introduced = OPENS_A_SENTENCE.search(before) and HERE_AFTER.match(text[match.end :])
        if match.value != PROFESSIONAL or SELF_DESCRIPTION.search(before) or introduced:
            return match.value
    return None


def canonical_value(kb: KnowledgeBase, entity: str, value: Optional[str]) -> Optional[str]:
    """Map an entity value (canonical id or any synonym) to its canonical id."""
    if not value:
        return None
    values = kb.vocabulary.get(entity, {})
    if value in values:
        return value
    found = matcher_for(kb).values(str(value), entity)
    return found[0] if found else None
