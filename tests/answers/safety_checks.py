"""How often the classifier-only safety check is shown, against whether the story warranted it.

tests/answers/safety_checks.yml labels the real questions whose replies opened with "First, a
safety check" when the check followed the classifier alone. The check now also needs a red flag
told in part (bme/vocabulary.py PhraseGroupDetector.told_in_part); this counts, by label, how many
of those replies still open with it, and names the warranted ones that lose it. No model needed.

    .venv/bin/python -m tests.answers.safety_checks
"""

from collections import Counter
from pathlib import Path

import yaml

from bme.knowledge import knowledge_base
from bme.vocabulary import red_flag_detector_for
from tests.answers.scoring import all_questions

LABELS_FILE = Path(__file__).with_name("safety_checks.yml")


def main() -> None:
    detector = red_flag_detector_for(knowledge_base())
    texts = {question["id"]: question["text"] for question in all_questions()}
    labels = yaml.safe_load(LABELS_FILE.read_text())["checks"]
    shown, total, lost = Counter(), Counter(), []
    for label in labels:
        total[label["warranted"]] += 1
        if detector.told_in_part(texts[label["id"]]):
            shown[label["warranted"]] += 1
        elif label["warranted"] != "no":
            lost.append(f"{label['id']} ({label['warranted']}): {label['because']}")
    for warranted in ("yes", "borderline", "no"):
        print(f"warranted {warranted}: check still shown {shown[warranted]}/{total[warranted]}")
    print("Warranted or borderline, no longer shown:", *lost, sep="\n- ")


if __name__ == "__main__":
    main()
