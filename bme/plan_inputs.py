"""Understand free-text answers to the treatment-plan questions.

Plain Python, no Rasa import. Every parser returns None when it cannot
understand the answer, so the form can re-ask with an example.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Dict, Optional, Tuple

from bme.knowledge import KnowledgeBase
from bme.plan import (
    BREASTFEEDING,
    COULD_BE_PREGNANT,
    NOT_PREGNANT,
    PREGNANCY_ANSWERS,
    PREGNANT,
    TRAUMATIC,
    UNKNOWN,
)
from bme.vocabulary import NEGATION, matcher_for

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


# A negation and the word it negates, a few words apart: "not pregnant",
# "no longer breast-feeding", "never had cancer", "don't have kidney disease".
NEGATED = rf"\b(?:{NEGATION}|stopped)\s+(?:\w+\s+){{{{0,3}}}}?(?:{{}})"


def _without_negated(clean: str, words: str) -> Tuple[str, bool]:
    """The text without negated mentions of ``words``, and whether there were any."""
    text, count = re.subn(NEGATED.format(words), " ", clean)
    return text, count > 0


PREGNANT_WORDS = r"pregnant|pregnancy|expecting|trimester|weeks along|due in|baby is due"
BREASTFEEDING_WORDS = r"breast ?-?feeding|breastfeed|breast ?-?fed|nursing|chest ?-?feeding"
MAYBE_PREGNANT = re.compile(
    r"\b(could|might|may|maybe|possibly|perhaps|not sure|unsure|don't know|dont know|trying|late period"
    r"|period is late|missed (?:a|my) period)\b"
)
WEEKS_ALONG = re.compile(r"\b(?:i'm|im|i am|at|about|around|nearly|almost)\s+(?:\d+|[a-z]+)\s+weeks?\b")
NOT_APPLICABLE = re.compile(
    r"\b(n/?a|not applicable|doesn't apply|does not apply|not relevant|i'm a man|i am a man|i'm male|i am male"
    r"|male|man|guy|menopause|post-?menopausal|none of (?:these|them|those))\b"
)


def parse_pregnancy(text: Optional[str], intent: Optional[str] = None) -> Optional[str]:
    """One of PREGNANCY_ANSWERS: "I'm 30 weeks", "breastfeeding", "I might be",
    "no / not applicable". A bare "yes" does not say which, so it is not understood."""
    if intent == "deny":
        return NOT_PREGNANT
    clean, negated = _without_negated(_clean(text), f"{PREGNANT_WORDS}|{BREASTFEEDING_WORDS}")
    if re.search(rf"\b({BREASTFEEDING_WORDS})\b", clean):
        return BREASTFEEDING
    if re.search(rf"\b({PREGNANT_WORDS})\b", clean) or MAYBE_PREGNANT.search(clean):
        return COULD_BE_PREGNANT if MAYBE_PREGNANT.search(clean) else PREGNANT
    if WEEKS_ALONG.search(clean):
        return PREGNANT
    if negated or NOT_APPLICABLE.search(clean) or NO.match(clean.strip()):
        return NOT_PREGNANT
    return None


KIDNEY_DISEASE = (
    r"ckd|kidney disease|renal disease|kidney failure|renal failure|renal impairment|kidney damage|dialysis"
    r"|kidney transplant|low egfr|reduced egfr|stage [1-5]|weak kidneys|one kidney|kidney problems?|kidney issues?"
    r"|kidneys? (?:don't|do not|doesn't|does not) work"
)
KIDNEYS_FINE = re.compile(
    r"\bkidneys?\b(?:\s+[\w']+){0,3}?\s+(not\s+|n't\s+)?(?:fine|normal|ok|okay|good|healthy|great)\b"
)


def parse_kidney_problems(text: Optional[str], intent: Optional[str] = None) -> Optional[bool]:
    """ "CKD stage 4", "I'm on dialysis" -> True; "my kidneys are fine" -> False."""
    clean, negated = _without_negated(_clean(text), KIDNEY_DISEASE)
    if re.search(rf"\b({KIDNEY_DISEASE})\b", clean):
        return True
    fine = KIDNEYS_FINE.search(clean)
    if fine:
        return bool(fine.group(1))  # "my kidneys are not fine"
    if negated:
        return False
    return parse_yes_no(clean.strip(), intent)


CANCER = (
    r"cancer|cancers|tumou?rs?|myeloma|lymphoma|leuka?emia|carcinoma|sarcoma|melanoma|metastas[ie]s|metastatic"
    r"|malignan\w*|chemo\w*|radiotherapy|radiation therapy|oncolog\w*"
)
RELATIVES = re.compile(
    r"\b(mother|mum|mom|father|dad|sister|brother|aunt|uncle|grand\w*|family|cousin|wife|husband|partner|friend)\b"
)


def parse_cancer_history(text: Optional[str], intent: Optional[str] = None) -> Optional[bool]:
    """The person's own cancer, now or in the past: "I had breast cancer",
    "myeloma" -> True; "never had cancer" -> False. A relative's cancer is
    not theirs, so then only a plain yes or no counts."""
    clean, negated = _without_negated(_clean(text), CANCER)
    if re.search(rf"\b({CANCER})\b", clean) and not RELATIVES.search(clean):
        return True
    if negated and not RELATIVES.search(clean):
        return False
    return parse_yes_no(clean.strip(), intent)


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
    if slot in ("mri_confirmed", "neuro_symptoms", "diabetes", "kidney_problems", "cancer_history"):
        return isinstance(value, bool)
    if slot == "pregnancy":
        return value in PREGNANCY_ANSWERS
    if slot == "etiology":
        return value in kb.vocabulary["condition"] or value in (TRAUMATIC, UNKNOWN)
    if slot == "body_site":
        return value in kb.vocabulary["body_site"]
    if slot == "pain_severity":
        return _is_number(value, 0, 10)
    if slot == "pain_duration_weeks":
        return _is_number(value, 0, 5200)
    raise KeyError(f"not a plan question: {slot}")
