"""Matching messages to question cards: stories, typos, lay words, confidence."""

import numpy as np
import pytest

from bme.knowledge import QuestionCard
from bme.meaning import sentence_encoder
from bme.questions import OFFER_AT
from bme.retrieval import (
    NEAR_TIE,
    POINTING_BACK,
    SENTENCES_READ,
    QuestionIndex,
    asks_a_question,
    content_words,
    is_question,
    near_ties_by_meaning,
    read_sentences,
    sentences,
)
from bme.vocabulary import matcher_for


def card(card_id, question, *asked_as):
    return QuestionCard(
        id=card_id,
        question=question,
        asked_as=list(asked_as),
        answer={"patient": "Yes.", "professional": "Yes."},
        facts=["bme_what_it_is"],
    )


CARDS = [
    card("is_it_cancer", "Is bone marrow edema cancer?", "is it a tumour", "does this mean cancer", "is it malignant"),
    card("will_it_come_back", "Will it come back?", "can it return", "can it happen again", "will it recur"),
    card("can_i_run", "Can I go running?", "when can I run again", "is jogging ok", "can I do sport"),
    card(
        "zoledronate_risks",
        "What are the risks of zoledronate?",
        "zoledronic acid side effects",
        "is zometa safe",
        "zoledronate dangers",
    ),
]


@pytest.fixture(scope="module")
def index(kb):
    return QuestionIndex(CARDS, matcher_for(kb).canonical_text, sentence_encoder())


def best(index, text):
    return index.rank(text)[0]


@pytest.mark.parametrize(
    "message, card_id",
    [
        ("Is bone marrow edema cancer?", "is_it_cancer"),
        ("is bone marow edeema a cancer", "is_it_cancer"),  # typos
        ("will it come back", "will_it_come_back"),
        ("when can i start jogging again", "can_i_run"),
        ("what are the side effects of Zometa", "zoledronate_risks"),  # brand name -> canonical id
    ],
)
def test_short_questions_find_their_card(index, message, card_id):
    assert best(index, message).card.id == card_id


def test_a_long_story_is_matched_by_its_question_sentence(index):
    story = (
        "I fell off my bike in May and my knee has hurt ever since. My GP sent me for an MRI and the "
        "report says bone marrow edema in the medial femoral condyle. I've been on crutches for three "
        "weeks and take ibuprofen. The physio says it will settle. Will it come back once it heals?"
    )
    match = best(index, story)
    assert match.card.id == "will_it_come_back"
    assert match.score > index.rank("what is the capital of France")[0].score


def test_a_question_sharing_no_word_with_a_card_finds_it_by_meaning(index):
    assert best(index, "Am I allowed to exercise?").card.id == "can_i_run"


def test_a_question_pointing_back_is_read_with_the_sentence_before_it(index):
    """ "Is that true?" says nothing by itself; the sentence before says what "that" is."""
    story = "A friend said the pain often returns a year later. Is that true?"
    assert best(index, story).card.id == "will_it_come_back"


@pytest.mark.parametrize(
    "question, points_back",
    [
        ("Is that true?", True),
        ("Is it safe?", True),
        ("Will this slow the healing?", True),
        ("Is it wise to have an operation at this stage?", False),
        ("Is it okay to walk at this point?", False),
    ],
)
def test_only_words_standing_for_what_was_said_before_point_back(question, points_back):
    """ "Is it wise to ..." is about what follows, and "at this stage" about the time."""
    assert bool(POINTING_BACK.search(question)) is points_back


def test_words_borrowed_from_the_sentence_before_count_less_than_a_question_s_own(index):
    borrowed = best(index, "A friend said the pain often returns a year later. Is that true?")
    own = best(index, "A friend said the pain often returns a year later, is that true?")
    assert borrowed.card == own.card and borrowed.score < own.score


def test_scores_are_ranked_and_bounded(index):
    ranked = index.rank("is zoledronic acid safe", limit=3)
    assert [m.card.id for m in ranked][0] == "zoledronate_risks"
    assert all(0 <= m.score <= 1.0001 for m in ranked)
    assert ranked == sorted(ranked, key=lambda m: -m.score)


def test_an_unrelated_message_scores_low(index):
    assert best(index, "how do I bake sourdough bread").score < 0.2


@pytest.mark.parametrize("statement", ["six weeks", "my knee", "tell me more"])
def test_short_statements_are_left_to_the_intent_classifier(index, statement):
    assert index.rank(statement) == []


def test_a_short_question_is_still_matched(index):
    assert best(index, "jogging?").card.id == "can_i_run"


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm wondering when it would be safe to start running again.",
        "I would like to know what exercises I can do while it heals.",
        "We're not sure if this is a short-term thing.",
        "Just wondering whether a brace would help.",
        "Please let me know how long it will take to heal.",
        "I'd like to hear your opinion on what could be going on.",
        "I would like to ask for your advice on how to proceed.",
        "I don’t know if I should rest or just go on shorter easier runs.",
        # A reader's request to a columnist.
        "Please explain what a bone scan shows.",
        "Discuss the risks of long-term steroids, please.",
    ],
)
def test_a_question_asked_as_a_statement_is_a_question(sentence):
    assert is_question(sentence)


@pytest.mark.parametrize(
    "sentence", ["I know what happened.", "I'm not sure.", "I wonder about it.", "The doctor will explain it later."]
)
def test_a_statement_is_not_a_question(sentence):
    assert not is_question(sentence)


@pytest.mark.parametrize(
    "story",
    [
        "My scan shows fluid in the bone. The doctor wants me off my feet. What should I do?",
        "I broke my sesamoid in March. It swelled again in the shoe. If you have any suggestions, I'm open to them.",
        "I have been off running for six weeks. Any advice would be appreciated.",
        "Looking for advice on my sore hip. I have rested it for a month.",
        "The back of my knee hurts when I kick. I'd really appreciate any help you can provide.",
        "My knee still aches six weeks after the fall. The scan was clear. Please suggest.",
    ],
)
def test_a_story_ending_in_a_bare_question_or_a_request_asks(story):
    assert asks_a_question(story)


def test_a_question_naming_nothing_is_not_matched_against_the_cards():
    assert not is_question("What do you think?")


def test_sentences_split_a_story():
    assert sentences("I fell. It hurts!\nWhat now?") == ["I fell.", "It hurts!", "What now?"]


def test_an_ellipsis_character_ends_a_sentence():
    story = "He said I can swim\u2026 weird? Any tips on keeping fit\u2026btw I race in April."
    assert sentences(story) == [
        "He said I can swim\u2026",
        "weird?",
        "Any tips on keeping fit\u2026",
        "btw I race in April.",
    ]


def test_a_question_mark_inside_brackets_is_an_aside_not_a_question():
    story = (
        "I've been out with a metatarsal stress reaction (fracture? don't know) for five weeks. Can I run? (I hope so.)"
    )
    assert sentences(story) == [
        "I've been out with a metatarsal stress reaction (fracture? don't know) for five weeks.",
        "Can I run?",
        "(I hope so.)",
    ]


def test_canonical_text_merges_synonyms(kb):
    canonical = matcher_for(kb).canonical_text
    assert canonical("Zometa drip") == canonical("zoledronic acid drip")


def test_words_of_asking_match_nothing(kb):
    cards = [
        card("broken_finger", "Is my finger broken?", "I think I broke my finger", "bent finger", "finger fracture")
    ]
    index = QuestionIndex(cards, matcher_for(kb).canonical_text, sentence_encoder())
    # Before, "think" alone matched "I think I broke my finger" above the answer threshold.
    assert best(index, "What do you think is causing this, does anyone know something?").score < OFFER_AT


def test_a_story_s_subject_is_spelt_as_the_wordings_are(kb, index):
    """The subject a story adds to its asking sentence folds plurals as the wordings' words are
    folded: the story's "bisphosphonates" must meet the wordings' "bisphosphonates"."""
    story = "My doctor started me on bisphosphonates in spring. It is now autumn. Are these aches normal?"
    canonical = matcher_for(kb).canonical_text(story)
    (asked, _), *_ = index._parts(read_sentences(story), canonical)
    assert set(asked.split()) <= set(content_words(asked).split())


@pytest.mark.parametrize("spelling", ["X-ray", "x ray", "xray", "X-rays", "x-rayed"])
def test_every_spelling_of_x_ray_is_one_word(spelling):
    assert content_words(f"the {spelling} was clear") == "xray clear"


def test_a_long_story_is_read_from_its_last_sentences():
    """A pasted story of many sentences is ranked on its last SENTENCES_READ, where it asks."""
    story = " ".join(f"Day {day} of my story." for day in range(100)) + " Can I run again?"
    read = read_sentences(story)
    assert len(read) == SENTENCES_READ and read[-1] == "Can I run again?"


def test_a_near_tie_goes_to_the_meaning_view():
    scores = np.array([0.40, 0.50, 0.50 - NEAR_TIE / 2, 0.30])
    meaning = np.array([0.9, 0.2, 0.6, 0.9])
    assert near_ties_by_meaning(scores, meaning).tolist() == [2, 1, 0, 3]


def test_a_clear_lead_keeps_its_place_whatever_the_meaning_view_says():
    scores = np.array([0.50, 0.50 - 2 * NEAR_TIE])
    meaning = np.array([0.1, 0.9])
    assert near_ties_by_meaning(scores, meaning).tolist() == [0, 1]


def test_a_run_of_near_ties_is_ordered_as_one():
    """Each gap under NEAR_TIE chains the run, even when its ends are further apart."""
    step = NEAR_TIE * 0.75
    scores = np.array([0.5, 0.5 - step, 0.5 - 2 * step])
    meaning = np.array([0.1, 0.2, 0.3])
    assert near_ties_by_meaning(scores, meaning).tolist() == [2, 1, 0]
