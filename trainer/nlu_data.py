"""The project's NLU examples as plain Python objects, and how alike two are.

Files use Rasa's YAML format: ``nlu:`` items with ``intent`` or ``synonym``
and an ``examples: |`` block. Entity annotations are parsed by Rasa's own
parser, so an example means here exactly what it means to ``rasa train``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Deque, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

import yaml
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.training_data import entities_parser

from trainer import TrainerError

APOSTROPHES = re.compile(r"['\u2019\u2018]")
PUNCTUATION = re.compile(r"[^\w\s]+")
# Words whose presence alone does not make two examples different.
FILLER_WORDS = frozenset({"a", "an", "the", "my", "please", "pls", "plz"})
NEAR_DUPLICATE_JACCARD = 0.9
NEAR_DUPLICATE_MIN_TOKENS = 4


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Example:
    intent: str
    raw: str  # as written, with entity annotations
    text: str
    entities: Tuple[Entity, ...]
    source: str  # file and line, e.g. "data/nlu/questions.yml:12"

    def where(self) -> str:
        return f'{self.source} ({self.intent}) "{self.raw}"'


@dataclass(frozen=True)
class Synonym:
    value: str
    text: str
    source: str


@dataclass(frozen=True)
class NluData:
    examples: Tuple[Example, ...]
    synonyms: Tuple[Synonym, ...]


def parse_example(raw: str, intent: str, source: str) -> Example:
    """One example as Rasa reads it: plain text plus the annotated entities."""
    try:
        message = entities_parser.parse_training_example(raw, intent)
    except RasaException as error:
        reason = str(error).splitlines()[0]
        raise TrainerError(f'{source}: "{raw}": the entity annotation is not valid: {reason}') from None
    text = message.get("text")
    entities = tuple(
        Entity(item["entity"], str(item["value"]), item["start"], item["end"], text[item["start"] : item["end"]])
        for item in message.get("entities") or []
    )
    return Example(intent, raw, text, entities, source)


def annotate(text: str, entities: Iterable[Entity]) -> str:
    """The text with Rasa entity annotations, e.g. 'does [ESWT]{"entity": "treatment", "value": "eswt"} help'."""
    parts, position = [], 0
    for entity in sorted(entities, key=lambda item: item.start):
        if entity.start < position:
            continue  # overlaps the previous mark
        label = json.dumps({"entity": entity.entity, "value": entity.value})
        parts += [text[position : entity.start], f"[{text[entity.start : entity.end]}]{label}"]
        position = entity.end
    return "".join(parts + [text[position:]])


def nlu_files(directory: Path) -> List[Path]:
    return sorted(directory.rglob("*.yml"))


def load_nlu(files: Iterable[Path], root: Path) -> NluData:
    examples: List[Example] = []
    synonyms: List[Synonym] = []
    for path in files:
        data = read_nlu_file(path, shown_path(path, root))
        examples += data.examples
        synonyms += data.synonyms
    return NluData(tuple(examples), tuple(synonyms))


def shown_path(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def read_nlu_file(path: Path, shown: str) -> NluData:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrainerError(f"{shown}: file not found") from None
    return parse_nlu_text(text, shown)


def parse_nlu_text(text: str, shown: str) -> NluData:
    try:
        content = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise TrainerError(f"{shown}: not valid YAML: {error}") from None
    items = (content.get("nlu") or []) if isinstance(content, dict) else None
    if not isinstance(items, list):
        raise TrainerError(f"{shown}: expected Rasa NLU data: a mapping with an 'nlu' list")
    lines = _example_line_numbers(text)
    examples: List[Example] = []
    synonyms: List[Synonym] = []
    for item in items:
        kind = next((key for key in ("intent", "synonym") if isinstance(item, dict) and key in item), None)
        if kind is None:
            continue  # lookup tables and regexes hold no examples
        for raw in _block_examples(item, shown):
            source = f"{shown}:{_take_line(lines, raw)}"
            if kind == "intent":
                examples.append(parse_example(raw, str(item["intent"]), source))
            else:
                synonyms.append(Synonym(str(item["synonym"]), raw, source))
    return NluData(tuple(examples), tuple(synonyms))


def _block_examples(item: dict, shown: str) -> Iterator[str]:
    block = item.get("examples") or ""
    if not isinstance(block, str):
        name = item.get("intent", item.get("synonym"))
        raise TrainerError(f"{shown}: '{name}': write the examples as a block ('examples: |' then '- ' lines)")
    for line in block.splitlines():
        if line.startswith("-") and line[1:].strip():
            yield line[1:].strip()


def _example_line_numbers(text: str) -> Dict[str, Deque[int]]:
    numbers: Dict[str, Deque[int]] = defaultdict(deque)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("-"):
            numbers[stripped[1:].strip()].append(number)
    return numbers


def _take_line(numbers: Dict[str, Deque[int]], raw: str) -> int:
    found = numbers.get(raw)
    return found.popleft() if found else 0


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces."""
    return " ".join(PUNCTUATION.sub(" ", APOSTROPHES.sub("", text.lower())).split())


@dataclass(frozen=True)
class TextKey:
    """What two texts are compared on to decide whether they nearly repeat each other."""

    normalised: str
    tokens: FrozenSet[str]

    @classmethod
    def of(cls, text: str) -> "TextKey":
        normalised = normalise(text)
        return cls(normalised, frozenset(normalised.split()) - FILLER_WORDS)

    def nearly_equals(self, other: "TextKey") -> bool:
        """Identical once normalised, or the same words (Jaccard >= 0.9) in texts of at least 4 words."""
        if self.normalised == other.normalised:
            return True
        if min(len(self.tokens), len(other.tokens)) < NEAR_DUPLICATE_MIN_TOKENS:
            return False
        return len(self.tokens & other.tokens) / len(self.tokens | other.tokens) >= NEAR_DUPLICATE_JACCARD


def nearly_equal_pairs(
    left: Sequence[Example], right: Optional[Sequence[Example]] = None
) -> Iterator[Tuple[Example, Example]]:
    """Pairs of nearly equal examples: within ``left``, or one from ``left`` and one from ``right``."""
    left_keys = [(TextKey.of(example.text), example) for example in left]
    right_keys = left_keys if right is None else [(TextKey.of(example.text), example) for example in right]
    for index, (key, example) in enumerate(left_keys):
        candidates = right_keys[index + 1 :] if right is None else right_keys
        for other_key, other in candidates:
            if key.nearly_equals(other_key):
                yield example, other
