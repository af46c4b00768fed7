"""Where the project keeps what the trainer tools read, and the names its domain declares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from bme.knowledge import KnowledgeError, VocabularyEntry, load_knowledge_base
from trainer import TrainerError, read_yaml
from trainer.nlu_data import NluData, load_nlu, nlu_files, shown_path

ROOT = Path(__file__).resolve().parent.parent

Vocabulary = Dict[str, Dict[str, VocabularyEntry]]  # entity -> canonical id -> label and synonyms


@dataclass(frozen=True)
class Domain:
    intents: Tuple[str, ...]
    responses: Tuple[str, ...]
    actions: Tuple[str, ...]
    forms: Dict[str, Tuple[str, ...]]  # form name -> its required slots


@dataclass(frozen=True)
class Project:
    root: Path = ROOT

    @property
    def nlu_dir(self) -> Path:
        return self.root / "data" / "nlu"

    @property
    def domain_file(self) -> Path:
        return self.root / "domain.yml"

    @property
    def config_file(self) -> Path:
        return self.root / "config.yml"

    @property
    def actions_dir(self) -> Path:
        return self.root / "actions"

    @property
    def knowledge_dir(self) -> Path:
        return self.root / "knowledge"

    @property
    def held_out_file(self) -> Path:
        return self.root / "tests" / "model" / "nlu_test.yml"

    def show(self, path: Path) -> str:
        return shown_path(path, self.root)

    def dialogue_files(self) -> List[Path]:
        """Rules and stories: the YAML files directly in data/."""
        return sorted((self.root / "data").glob("*.yml"))

    def training_data(self) -> NluData:
        files = nlu_files(self.nlu_dir)
        if not files:
            raise TrainerError(f"{self.show(self.nlu_dir)}: no NLU training files (*.yml) found")
        return load_nlu(files, self.root)

    def held_out_data(self) -> NluData:
        return load_nlu([self.held_out_file], self.root)

    def vocabulary(self) -> Vocabulary:
        """The vocabulary of the validated knowledge base."""
        try:
            return load_knowledge_base(self.knowledge_dir).vocabulary
        except KnowledgeError as error:
            raise TrainerError(f"the knowledge base is invalid: {error}") from None

    def domain(self) -> Domain:
        shown = self.show(self.domain_file)
        content = read_yaml(self.domain_file, shown)
        if not isinstance(content, dict):
            raise TrainerError(f"{shown}: expected a mapping at the top level")
        forms = content.get("forms") or {}
        return Domain(
            intents=tuple(_names(content.get("intents"))),
            responses=tuple(content.get("responses") or {}),
            actions=tuple(_names(content.get("actions"))),
            forms={name: tuple(_names((spec or {}).get("required_slots"))) for name, spec in forms.items()},
        )


def _names(entries) -> List[str]:
    """Names from a domain list whose entries are names or one-key mappings."""
    return [next(iter(entry)) if isinstance(entry, dict) else str(entry) for entry in entries or []]
