"""Merge the reviewed entries of an inbox file into data/nlu/.

Nothing is written when an entry conflicts with the data (the same or nearly
the same text under another intent), names an unknown intent or entity, or
has a broken annotation. Entries that repeat a training example, or a
held-out example, are left out. New examples go at the end of their intent's
``examples: |`` block, or into ``data/nlu/<intent>.yml`` for an intent with
no examples yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bme.vocabulary import VocabularyMatcher
from trainer import TrainerError
from trainer.data_checks import entity_problem
from trainer.inbox import Inbox
from trainer.nlu_data import Example, nearly_equal_pairs, nlu_files, parse_example, parse_nlu_text
from trainer.project import Project

INTENT_ITEM = re.compile(r"^(?P<indent>\s*)-\s+intent:\s*['\"]?(?P<name>[^'\"#\s]+)")
EXAMPLES_BLOCK = re.compile(r"^(?P<indent>\s*)examples:\s*\|[-+]?\s*$")
NEW_FILE = 'version: "3.1"\n\nnlu:\n'


@dataclass
class MergePlan:
    additions: Dict[str, List[Example]] = field(default_factory=dict)  # intent -> new examples
    left_out: List[str] = field(default_factory=list)
    refused: List[str] = field(default_factory=list)
    unreviewed: int = 0


def plan_merge(inbox: Inbox, shown: str, project: Project) -> MergePlan:
    plan = MergePlan()
    intents = set(project.domain().intents)
    vocabulary = project.vocabulary()
    matcher = VocabularyMatcher(vocabulary, read_misspellings=False)
    candidates: List[Example] = []
    for group, entries in inbox.items():
        for number, entry in enumerate(entries, start=1):
            if not entry.reviewed:
                plan.unreviewed += 1
                continue
            try:
                example = parse_example(entry.text, entry.intent, f"{shown}: {group}, entry {number}")
            except TrainerError as error:
                plan.refused.append(str(error))
                continue
            if "\n" in example.raw or "\r" in example.raw:
                plan.refused.append(
                    f"{example.source} ({example.intent}) {example.raw!r}: write the example on one line"
                )
            if example.intent not in intents:
                plan.refused.append(f"{example.where()}: intent {example.intent} is not in domain.yml")
            plan.refused += [
                f"{example.where()}: {problem}"
                for problem in (entity_problem(entity, vocabulary, matcher) for entity in example.entities)
                if problem
            ]
            candidates.append(example)
    _compare(plan, candidates, project)
    return plan


def _compare(plan: MergePlan, candidates: List[Example], project: Project) -> None:
    """Refuse conflicts; leave out what repeats training data, the held-out set or an earlier entry."""
    left_out: Dict[int, str] = {}
    for new, old in nearly_equal_pairs(candidates, project.training_data().examples):
        if new.intent != old.intent:
            plan.refused.append(f"{new.where()} conflicts with {old.where()}: pick one intent for both")
        left_out.setdefault(id(new), f"{new.where()} repeats {old.where()}")
    for new, old in nearly_equal_pairs(candidates, project.held_out_data().examples):
        left_out.setdefault(id(new), f"{new.where()} repeats the held-out example {old.where()}")
    for earlier, later in nearly_equal_pairs(candidates):
        if earlier.intent != later.intent:
            plan.refused.append(f"{later.where()} conflicts with {earlier.where()}: pick one intent for both")
        left_out.setdefault(id(later), f"{later.where()} repeats {earlier.where()}")
    plan.left_out += left_out.values()
    for example in candidates:
        if id(example) not in left_out:
            plan.additions.setdefault(example.intent, []).append(example)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _item_end(lines: List[str], start: int, indent: int) -> int:
    """Index just past the YAML item or block that starts at ``start`` and is indented by ``indent``."""
    return next(
        (index for index in range(start + 1, len(lines)) if lines[index].strip() and _indent(lines[index]) <= indent),
        len(lines),
    )


def _block_end(lines: List[str], intent: str) -> Optional[Tuple[int, str]]:
    """Index of the last line of the intent's ``examples: |`` block and the indent of its examples."""
    start = next(
        (index for index, line in enumerate(lines) if (match := INTENT_ITEM.match(line)) and match["name"] == intent),
        None,
    )
    if start is None:
        return None
    block = next(
        (
            index
            for index in range(start + 1, _item_end(lines, start, _indent(lines[start])))
            if EXAMPLES_BLOCK.match(lines[index])
        ),
        None,
    )
    if block is None:
        return None
    last = max(
        (index for index in range(block, _item_end(lines, block, _indent(lines[block]))) if lines[index].strip()),
        default=block,
    )
    indent = " " * (_indent(lines[block]) + 2) if last == block else lines[last][: _indent(lines[last])]
    return last, indent


def has_block(text: str, intent: str) -> bool:
    return _block_end(text.splitlines(keepends=True), intent) is not None


def insert_examples(text: str, intent: str, raws: List[str]) -> str:
    """The file text with the examples appended to the intent's block, or a new block at the end."""
    lines = text.splitlines(keepends=True)
    found = _block_end(lines, intent)
    if found is None:
        return (
            text.rstrip("\n") + f"\n\n- intent: {intent}\n  examples: |\n" + "".join(f"    - {raw}\n" for raw in raws)
        )
    last, indent = found
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    return "".join(lines[: last + 1] + [f"{indent}- {raw}\n" for raw in raws] + lines[last + 1 :])


def planned_files(plan: MergePlan, project: Project) -> Tuple[Dict[Path, str], Dict[str, Path]]:
    """The new text of every file the merge changes, each checked to hold exactly the added examples,
    and the file each intent's examples go to."""
    original: Dict[Path, str] = {path: path.read_text(encoding="utf-8") for path in nlu_files(project.nlu_dir)}
    changed: Dict[Path, str] = {}
    destinations: Dict[str, Path] = {}
    for intent, examples in plan.additions.items():
        path = next(
            (path for path, text in original.items() if has_block(text, intent)), project.nlu_dir / f"{intent}.yml"
        )
        current = changed.get(path, original.get(path, NEW_FILE))
        changed[path] = insert_examples(current, intent, [example.raw for example in examples])
        destinations[intent] = path
    for path, text in changed.items():
        added = [
            example
            for intent, examples in plan.additions.items()
            if destinations[intent] == path
            for example in examples
        ]
        _verify(project.show(path), original.get(path, NEW_FILE), text, added)
    return changed, destinations


def _verify(shown: str, old_text: str, new_text: str, added: List[Example]) -> None:
    before = [(example.intent, example.raw) for example in parse_nlu_text(old_text, shown).examples]
    after = [(example.intent, example.raw) for example in parse_nlu_text(new_text, shown).examples]
    if sorted(after) != sorted(before + [(example.intent, example.raw) for example in added]):
        raise TrainerError(
            f"{shown}: could not add the examples safely (unexpected layout); "
            "add them by hand, keeping each intent's examples in an 'examples: |' block"
        )


def apply_merge(plan: MergePlan, project: Project, dry_run: bool = False) -> Dict[str, str]:
    """Write the additions (unless a dry run); returns intent -> the file its examples go to."""
    changed, destinations = planned_files(plan, project)
    if not dry_run:
        for path, text in changed.items():
            path.write_text(text, encoding="utf-8")
    return {intent: project.show(path) for intent, path in destinations.items()}


def summary(plan: MergePlan, destinations: Dict[str, str], shown: str, dry_run: bool = False) -> str:
    if plan.refused:
        return "\n".join(
            [
                f"Refused: nothing was merged. Fix these in {shown}, then merge again:",
                *(f"  {problem}" for problem in plan.refused),
            ]
        )
    count = sum(len(examples) for examples in plan.additions.values())
    lines = [f"{'Would merge' if dry_run else 'Merged'} {count} examples from {shown}" + (":" if count else ".")]
    lines += [
        f"  {intent}: +{len(examples)} in {destinations[intent]}" for intent, examples in sorted(plan.additions.items())
    ]
    if plan.left_out:
        lines += [f"Left out {len(plan.left_out)}, already in the data:", *(f"  {reason}" for reason in plan.left_out)]
    if plan.unreviewed:
        lines.append(f'Not reviewed yet (intent still ends in "?"), so not merged: {plan.unreviewed}.')
    if count and not dry_run:
        lines.append("Next: make validate, make train, make test-nlu.")
    return "\n".join(lines)
