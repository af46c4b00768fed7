"""Red flags through the trained NLU pipeline and the red-flag action: what
people type must get the urgent-care reply of the right tier, and ordinary
symptom questions must not. The phrasings differ from the training examples.

The model is BME_TEST_MODEL (default models/bme-assistant.tar.gz)."""

import asyncio
import os

import pytest
from rasa.core.agent import Agent

from actions.actions import ActionRedFlag
from bme.knowledge import knowledge_base
from bme.vocabulary import RED_FLAG_INTENTS
from tests.processes import ROOT
from tests.unit.test_actions import make_tracker, run

MODEL = os.environ.get("BME_TEST_MODEL", str(ROOT / "models" / "bme-assistant.tar.gz"))

EMERGENCIES = [
    "both my legs have gone numb and tingly since this morning",
    "cant feel when im peeing anymore and my back is killing me",
    "my dad has lung cancer and his legs keep buckling",
    "sudden agony in my hip and I can't get up off the floor, I fell",
    "chest feels really tight since the iloprost started",
    "got a temp of 39 and my shin is throbbing",
    "mums knee is red hot and swollen and she's shivery and confused",
    "pus leaking out of the sore on my toe, it goes right down to the bone",
    "im on chemo and my bones are killing me, new pain in my hip",
    "cant breathe properly, been laid up in a cast for 3 weeks",
    "pins and needles round my bum and private parts",
    "wet the bed last night and didnt even notice, back pain too",
    "my right leg just went from under me, it's weak and floppy",
    "im 38 weeks pregnant, my hip suddenly went and now i cant weight bear",
    "sciatica both sides and I'm struggling to pee",
    "fevers and chills and my spine hurts",
    "my husband has myeloma and suddenly can't walk properly",
    "there's a tight band round my chest and my legs feel heavy",
]

SAME_DAY = [
    "my foot's gone red and hot and i've got type 1",
    "I'm diabetic with neuropathy and my ankle has swelled up, it's warm",
    "had aclasta on tuesday and now my lips and fingers are tingly",
    "muscle cramps all night since the zoledronate",
    "feeling rough with chills since my zoledronic acid drip yesterday",
    "my jaw has been aching for weeks, I'm on alendronic acid",
    "bit of my jawbone is exposed after a tooth extraction, I get prolia injections",
    "new aching in my thigh, been taking fosamax for years",
    "my calf is swollen and red, I'm on crutches for my knee BME",
    "lower leg puffy and tender since my ankle was put in plaster",
    "my husband has bone mets and his neck pain keeps getting worse",
    "I have myeloma and my back is waking me at night",
    "my knee went hot and puffy overnight",
    "night sweats every night and I've lost a lot of weight",
    "my elbow is warm, red and swollen",
    "loose tooth and swollen gum since starting zoledronic acid",
    "tingling around my mouth after my bone infusion",
]

CALM = [
    "does iloprost cause headaches?",
    "is it normal to have pain at night with bone marrow edema?",
    "what temperature should the room be",
    "how long does bone marrow edema take to heal?",
    "can I walk on my knee with BME?",
    "is zoledronic acid safe for my kidneys?",
    "what are the side effects of iloprost?",
    "my knee aches after walking, is that the edema?",
    "should I use crutches for hip BME?",
    "what is transient osteoporosis of the hip?",
    "does ibuprofen help with bone pain?",
    "is swelling normal with a bone bruise?",
    "how is charcot foot treated?",
]


@pytest.fixture(scope="module")
def agent():
    if not os.path.exists(MODEL):
        pytest.fail(f"no trained model at {MODEL}: run make train or set BME_TEST_MODEL")
    return Agent.load(MODEL)


def parse(agent, text):
    return asyncio.run(agent.parse_message(text))


def reply_tier(text):
    """The tier of the urgent-care reply the user sees, from its wording."""
    kb = knowledge_base()
    for flag in kb.red_flags:
        if text.startswith(flag.message.patient):
            return flag.tier
    return next((tier for tier in RED_FLAG_INTENTS if text == kb.messages[f"red_flag_{tier}"].text), None)


def red_flag_reply_tier(agent, text):
    """The tier of the reply to the message, or None when it is no red flag
    (data/rules.yml: a red-flag intent always runs action_red_flag)."""
    parsed = parse(agent, text)
    intent = parsed["intent"]["name"]
    if intent not in RED_FLAG_INTENTS.values():
        return None
    messages, _ = run(ActionRedFlag(), make_tracker(text, intent, confidence=parsed["intent"]["confidence"]))
    return reply_tier(messages[0]["text"])


@pytest.mark.parametrize("text", EMERGENCIES)
def test_emergencies_get_the_emergency_reply(agent, text):
    assert red_flag_reply_tier(agent, text) == "emergency"


@pytest.mark.parametrize("text", SAME_DAY)
def test_same_day_red_flags_get_the_same_day_reply(agent, text):
    assert red_flag_reply_tier(agent, text) == "same_day"


@pytest.mark.parametrize("text", CALM)
def test_ordinary_questions_get_no_red_flag_reply(agent, text):
    assert red_flag_reply_tier(agent, text) is None
