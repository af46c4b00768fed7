"""The intent classifier survives Rasa's persist and load: Rasa quietly returns an untrained
classifier when skops does not trust a type of the saved estimator (docs/RASA_INTERNALS.md)."""

import logging
import subprocess
import sys
from types import SimpleNamespace

from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from components.intent_classifier import ScaledLogisticRegression
from tests.model_storage import MemoryStorage


def message(counts, intent=None):
    data = {"text": str(counts), **({"intent": intent} if intent else {})}
    features = Features(csr_matrix([counts]), FEATURE_TYPE_SENTENCE, TEXT, "counts")
    return Message(data=data, features=[features])


def test_a_trained_classifier_loads_trained(tmp_path):
    storage, resource, context = MemoryStorage(tmp_path), Resource("intent_classifier"), SimpleNamespace(node_name="c")
    examples = [message([3, 0], "ask_treatment"), message([2, 0], "ask_treatment"), message([0, 4], "greet")]
    ScaledLogisticRegression({"C": 100}, "c", storage, resource).train(TrainingData(examples))

    loaded = ScaledLogisticRegression.load({"C": 100}, storage, resource, context)
    [parsed] = loaded.process([message([0, 5])])

    assert parsed.get("intent")["name"] == "greet"
    assert loaded.clf[-1].C == 100


def test_loading_the_classifier_keeps_the_servers_info_logs():
    script = (
        "import logging; logging.getLogger().setLevel(logging.INFO); "
        "import components.intent_classifier, skops.io; print(logging.getLogger().level)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.split()[-1] == str(logging.INFO), result.stderr[-2000:]
