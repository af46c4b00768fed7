"""Understand free-text answers to the treatment-plan questions.

Plain Python, no Rasa import. Every parser returns None when it cannot
understand the answer, so the form can re-ask with an example.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Dict, Optional

from bme.knowledge import KnowledgeBase
from bme.plan import TRAUMATIC, UNKNOWN
from bme.vocabulary import matcher_for

NUMBER_WORDS = {
    "zero": 0,
    "no": 0,
    "none": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "several": 4,
    "half": 0.5,
}
WEEKS_PER_UNIT = {"day": 1 / 7, "week": 1.0, "fortnight": 2.0, "month": 52 / 12, "year": 52.0}
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
SEASON_START_MONTH = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
SEVERITY_WORDS = {  # words people use for pain, on the 0-10 scale
    "no pain": 0,
    "none": 0,
    "mild": 3,
    "slight": 2,
    "a little": 2,
    "moderate": 5,
    "medium": 5,
    "bad": 7,
    "severe": 8,
    "very bad": 8,
    "very severe": 9,
    "unbearable": 10,
    "excruciating": 10,
    "worst": 10,
}
YES = re.compile(
    r"^(yes|yeah|yep|yup|y|sure|correct|right|definitely|absolutely"
    r"|i do|i have|it was|it did|they did|confirmed|true)\b"
)
NO = re.compile(
    r"^(no|nope|nah|n|not|never|none|i don't|i do not|i haven't|i have not|it wasn't|it was not|they didn't|false)\b"
)
DONT_KNOW = re.compile(r"\b(not sure|don't know|dont know|do not know|unsure|no idea|can't remember|cannot remember)\b")


def _clean(text: Optional[str]) -> str:
    return " ".join((text or "").lower().replace("\u2019", "'").split())


def parse_yes_no(text: Optional[str], intent: Optional[str] = None) -> Optional[bool]:
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    clean = _clean(text)
    if DONT_KNOW.search(clean):
        return None
    if YES.match(clean):
        return True
    if NO.match(clean):
        return False
    return None


def _number(token: str) -> Optional[float]:
    try:
        return float(token)
    except ValueError:
        return NUMBER_WORDS.get(token)


def parse_pain_severity(text: Optional[str]) -> Optional[float]:
    """A number from 0 to 10, "7/10", "seven out of ten" or a word like "moderate"."""
    clean = _clean(text)
    match = re.search(r"(\d+(?:\.\d+)?|[a-z]+)\s*(?:/|out of|of)\s*10\b|(\d+(?:\.\d+)?)", clean)
    if match:
        value = _number(match.group(1) or match.group(2))
        return value if value is not None and 0 <= value <= 10 else None
    for word in ("ten", "nine", "eight", "seven", "six", "five", "four", "three", "two", "one", "zero"):
        if re.search(rf"\b{word}\b", clean):
            return float(NUMBER_WORDS[word])
    for phrase in sorted(SEVERITY_WORDS, key=len, reverse=True):
        if re.search(rf"\b{phrase}\b", clean):
            return float(SEVERITY_WORDS[phrase])
    return None


def _weeks_since(month: int, last: bool, today: dt.date) -> float:
    """Weeks since the 1st of ``month`` most recently past ("last spring" skips this year's if it is running)."""
    year = today.year if month <= today.month else today.year - 1
    start = dt.date(year, month, 1)
    if last and today < start + dt.timedelta(days=92):
        start = dt.date(year - 1, month, 1)
    return round((today - start).days / 7, 1)


def parse_duration_weeks(text: Optional[str], today: Optional[dt.date] = None) -> Optional[float]:
    """How long the pain has lasted, in weeks: "3 months", "six weeks", "since last spring"."""
    clean = re.sub(r"\b(a )?couple of\b", "two", re.sub(r"\ba few\b", "three", _clean(text)))
    today = today or dt.date.today()
    if re.search(r"\b(today|this morning|yesterday|last night)\b", clean):
        return 0.1
    units = "|".join(WEEKS_PER_UNIT)
    match = re.search(rf"(\d+(?:\.\d+)?|[a-z]+)(?:\s+and\s+a\s+half)?\s+({units})s?\b", clean)
    if match:
        count = _number(match.group(1))
        if count is None:
            return None
        if "and a half" in match.group(0):
            count += 0.5
        return round(count * WEEKS_PER_UNIT[match.group(2)], 1)
    match = re.search(r"\b(last|this past|since)\s+(?:the\s+)?(spring|summer|autumn|fall|winter)\b", clean)
    if match:
        return _weeks_since(SEASON_START_MONTH[match.group(2)], match.group(1) == "last", today)
    match = re.search(r"\bsince\s+(?:last\s+)?(" + "|".join(MONTHS) + r")\b", clean)
    if match:
        return _weeks_since(MONTHS.index(match.group(1)) + 1, False, today)
    return None


def parse_etiology(kb: KnowledgeBase, text: Optional[str], etiology_words: Dict[str, list]) -> Optional[str]:
    """A condition id from the vocabulary, or "traumatic" / "unknown"; the
    first cause in ``etiology_words`` whose words appear wins."""
    conditions = matcher_for(kb).values(text or "", "condition")
    if conditions:
        return conditions[0]
    clean = _clean(text)
    for value, words in etiology_words.items():
        if any(re.search(rf"\b{re.escape(word)}\b", clean) for word in words):
            return value
    return UNKNOWN if DONT_KNOW.search(clean) else None


def parse_body_site(kb: KnowledgeBase, text: Optional[str]) -> Optional[str]:
    sites = matcher_for(kb).values(text or "", "body_site")
    return sites[0] if sites else None


MRI_SHOWED = re.compile(r"\b(mri|scan)\b.*\b(show|shows|showed|shown|found|confirmed|says|said|revealed)\b")


def prefill_from_request(kb: KnowledgeBase, text: Optional[str], entities: Dict[str, str]) -> Dict[str, object]:
    """Answers already given in the message that asked for a plan, e.g.
    "my MRI shows bone marrow edema in my hip, what should happen next?"."""
    known: Dict[str, object] = {}
    if MRI_SHOWED.search(_clean(text)):
        known["mri_confirmed"] = True
    if entities.get("body_site"):
        known["body_site"] = entities["body_site"]
    if entities.get("condition"):
        known["etiology"] = entities["condition"]
    return known


def _is_number(value: object, low: float, high: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high


def is_valid_answer(kb: KnowledgeBase, slot: str, value: object) -> bool:
    """Whether ``value`` is an understood answer for ``slot`` (rather than the
    raw text of one that was not understood)."""
    if slot in ("mri_confirmed", "neuro_symptoms", "diabetes"):
        return isinstance(value, bool)
    if slot == "etiology":
        return value in kb.vocabulary["condition"] or value in (TRAUMATIC, UNKNOWN)
    if slot == "body_site":
        return value in kb.vocabulary["body_site"]
    if slot == "pain_severity":
        return _is_number(value, 0, 10)
    if slot == "pain_duration_weeks":
        return _is_number(value, 0, 5200)
    raise KeyError(f"not a plan question: {slot}")
