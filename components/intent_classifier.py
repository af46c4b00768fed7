"""Rasa's logistic-regression intent classifier, with scaled features and a configurable `C`.

Rasa 3.6.21 fits scikit-learn's LogisticRegression on the raw n-gram counts with `C` fixed at 1.0.
On this project's data that converged slowly (about 100 s) and reached a lower held-out macro-F1
than with the counts scaled to [0, 1] per feature (MaxAbsScaler keeps them sparse) and a weaker
regularisation: then it trains in seconds where DIET took minutes (docs/BENCHMARKS.md).

Each message's features are then scaled to unit length (Normalizer). Without it a long story
has many times the feature mass of the short training examples, and the classifier was close to
certain about whatever its words leaned to: 33 of 281 real questions, mostly runners' and
fallers' stories, were read as red flags, 12 with it (tests/answers/real_questions.yml; a one-off
scikit-learn check, docs/BENCHMARKS.md).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, Normalizer


def _import_skops_keeping_the_log_level() -> None:
    """Rasa persists and loads this classifier with skops, whose import (through numpy.distutils) sets
    the root logger to WARNING: the Rasa server's INFO lines stopped once the model was loaded."""
    root = logging.getLogger()
    level = root.level
    import skops.io  # noqa: F401

    root.setLevel(level)


_import_skops_keeping_the_log_level()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ScaledLogisticRegression(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        # A pipeline has the `fit`, `predict_proba` and `classes_` the parent class uses, and
        # skops (which the parent persists with) trusts its scikit-learn steps.
        self.clf = make_pipeline(MaxAbsScaler(), Normalizer(), self.clf.set_params(C=self.config["C"]))
