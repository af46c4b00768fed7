"""Turn the JSON reports of ``rasa test nlu`` (held-out or cross-validation)
into ``summary.md``, and gate on the intent macro-F1."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from trainer import TrainerError

INTENT_REPORT = "intent_report.json"
INTENT_ERRORS = "intent_errors.json"
SUMMARY = "summary.md"
NOT_ENTITY_REPORTS = {INTENT_REPORT, "response_selection_report.json"}
AVERAGES = ("micro avg", "macro avg", "weighted avg")
PLOTS = (
    ("Intent confusion matrix", "intent_confusion_matrix.png"),
    ("Intent confidence histogram", "intent_histogram.png"),
)
WEAKEST_SHOWN = 5


@dataclass(frozen=True)
class Scores:
    name: str
    precision: float
    recall: float
    f1: float
    support: int
    confused_with: Dict[str, int]

    @classmethod
    def parse(cls, name: str, entry: dict) -> "Scores":
        return cls(
            name,
            entry["precision"],
            entry["recall"],
            entry["f1-score"],
            int(entry["support"]),
            entry.get("confused_with") or {},
        )

    def row(self, with_confusion: bool) -> str:
        cells = [self.name, f"{self.precision:.2f}", f"{self.recall:.2f}", f"{self.f1:.2f}", str(self.support)]
        if with_confusion:
            cells.append(", ".join(f"{other} ({count})" for other, count in self.confused_with.items()))
        return "| " + " | ".join(cells) + " |"


@dataclass(frozen=True)
class Report:
    """One classification report: per-label scores, worst F1 first, and the averages."""

    labels: Tuple[Scores, ...]
    averages: Tuple[Scores, ...]
    accuracy: float

    def average(self, name: str) -> Scores:
        return next(scores for scores in self.averages if scores.name == name)


def read_report(path: Path) -> Report:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        labels = [
            Scores.parse(name, entry)
            for name, entry in content.items()
            if name not in AVERAGES and isinstance(entry, dict)
        ]
        averages = [Scores.parse(name, content[name]) for name in AVERAGES if name in content]
    except FileNotFoundError:
        raise TrainerError(f"{path}: not found; run `make test-nlu` or `make crossval` first") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise TrainerError(f"{path}: not a report written by `rasa test nlu` ({error})") from None
    accuracy = content.get("accuracy")
    return Report(
        tuple(sorted(labels, key=lambda scores: (scores.f1, scores.name))),
        tuple(averages),
        accuracy if isinstance(accuracy, float) else float("nan"),
    )


def entity_reports(directory: Path) -> Dict[str, Report]:
    """Per entity extractor, e.g. MedicalTermExtractor_report.json."""
    return {
        path.name[: -len("_report.json")]: read_report(path)
        for path in sorted(Path(directory).glob("*_report.json"))
        if path.name not in NOT_ENTITY_REPORTS
    }


@dataclass(frozen=True)
class Misclassified:
    text: str
    expected: str
    predicted: str
    confidence: float


def misclassified(directory: Path) -> List[Misclassified]:
    path = Path(directory) / INTENT_ERRORS
    if not path.exists():
        return []
    try:
        return [
            Misclassified(
                error["text"],
                error["intent"],
                error["intent_prediction"]["name"],
                error["intent_prediction"]["confidence"] or 0.0,
            )
            for error in json.loads(path.read_text(encoding="utf-8"))
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise TrainerError(f"{path}: not written by `rasa test nlu` ({error!r})") from None


def _table(report: Report, label: str, with_confusion: bool) -> List[str]:
    header = f"| {label} | precision | recall | F1 | support |" + (" most confused with |" if with_confusion else "")
    rule = "|---|---:|---:|---:|---:|" + ("---|" if with_confusion else "")
    return [header, rule, *(scores.row(with_confusion) for scores in (*report.labels, *report.averages))]


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def summary_markdown(directory: Path) -> str:
    directory = Path(directory)
    intents = read_report(directory / INTENT_REPORT)
    macro = intents.average("macro avg")
    lines = [
        f"# NLU evaluation: {directory}",
        "",
        f"Intent macro-F1 **{macro.f1:.3f}**, weighted F1 {intents.average('weighted avg').f1:.3f}, "
        f"accuracy {intents.accuracy:.3f} on {macro.support} examples.",
        "",
        "## Intents, weakest first",
        "",
        *_table(intents, "intent", with_confusion=True),
    ]
    for extractor, report in entity_reports(directory).items():
        lines += ["", f"## Entities ({extractor})", "", *_table(report, "entity", with_confusion=False)]
    errors = misclassified(directory)
    if errors:
        lines += [
            "",
            "## Misclassified examples",
            "",
            "| text | expected | predicted | confidence |",
            "|---|---|---|---:|",
        ]
        lines += [
            f"| {_cell(error.text)} | {error.expected} | {error.predicted} | {error.confidence:.2f} |"
            for error in errors
        ]
    for title, name in PLOTS:
        if (directory / name).exists():
            lines += ["", f"## {title}", "", f"![{title}]({name})"]
    return "\n".join(lines) + "\n"


def write_summary(directory: Path) -> Path:
    path = Path(directory) / SUMMARY
    path.write_text(summary_markdown(directory), encoding="utf-8")
    return path


def gate(directory: Path, minimum: float) -> Tuple[bool, str]:
    """Whether the intent macro-F1 reaches ``minimum``, and a one-line verdict."""
    intents = read_report(Path(directory) / INTENT_REPORT)
    macro = intents.average("macro avg").f1
    if macro >= minimum:
        return True, f"Intent macro-F1 {macro:.3f} >= {minimum:.2f}: the NLU gate passes."
    weakest = ", ".join(f"{scores.name} ({scores.f1:.2f})" for scores in intents.labels[:WEAKEST_SHOWN])
    return False, (
        f"Intent macro-F1 {macro:.3f} is below the required {minimum:.2f}. Weakest intents: {weakest}. "
        f"See {Path(directory) / SUMMARY}."
    )
