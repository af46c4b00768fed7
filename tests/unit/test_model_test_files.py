"""The end-to-end stories are where Rasa looks for them: it evaluates only files named test_*.yml
as test stories, and runs zero stories, successfully, from any other name."""

from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from tests.processes import ROOT

MODEL_TESTS = ROOT / "tests" / "model"


def test_every_story_file_of_the_model_tests_is_read_as_test_stories():
    story_files = [path for path in MODEL_TESTS.glob("*.yml") if "stories:" in path.read_text(encoding="utf-8")]
    assert story_files, "tests/model has no stories"
    assert [path.name for path in story_files if not YAMLStoryReader.is_test_stories_file(path)] == []
