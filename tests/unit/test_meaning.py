"""The sentence encoder: meaning without shared words, padding, kept vectors, checked weights."""

import numpy as np
import pytest

from bme import meaning
from bme.meaning import ModelMissing, SentenceEncoder, sentence_encoder


@pytest.fixture(scope="module")
def encoder():
    return sentence_encoder()


def test_questions_with_one_answer_are_closer_than_unrelated_ones(encoder):
    recovery, healing, passport = encoder.encode(
        ["How long until I can walk normally again?", "What is the recovery time?", "How do I renew my passport?"]
    )
    assert recovery @ healing > recovery @ passport + 0.3


def test_vectors_have_unit_length(encoder):
    rows = encoder.encode(["Is it cancer?", "My MRI shows bone marrow edema in the knee after a fall."])
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_a_text_gets_the_same_vector_alone_or_padded_in_a_batch(encoder):
    texts = ["ok?", "A much longer sentence about a stress fracture of the shin in a runner who trains daily."]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_kept_vectors_are_read_back_instead_of_encoded_again(encoder, tmp_path, monkeypatch):
    texts = ["Will it come back?", "Can I run?"]
    first = encoder.encode_kept(texts, tmp_path)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    monkeypatch.setattr(encoder, "encode", lambda _: pytest.fail("encoded again"))
    assert np.array_equal(encoder.encode_kept(texts, tmp_path), first)


def test_an_unreadable_or_unwritable_folder_costs_time_not_the_vectors(encoder, tmp_path):
    texts = ["Will it come back?"]
    expected = encoder.encode(texts)
    kept = encoder.encode_kept(texts, tmp_path)
    next(tmp_path.glob("*.npy")).write_bytes(b"not a numpy file")
    assert np.allclose(encoder.encode_kept(texts, tmp_path), expected, atol=1e-6)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    assert np.allclose(encoder.encode_kept(texts, blocked), kept, atol=1e-6)


def test_no_texts_give_no_rows(encoder):
    assert encoder.encode([]).shape == (0, 384)


def test_other_weights_are_refused(monkeypatch):
    monkeypatch.setattr(meaning, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(ModelMissing, match="other weights"):
        SentenceEncoder.from_package()


def test_a_missing_model_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(meaning, "MODEL_PACKAGE", "no-such-model-package")
    with pytest.raises(ModelMissing, match="make install"):
        SentenceEncoder.from_package()
