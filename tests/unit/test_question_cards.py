"""The question cards of knowledge/questions/: sound, reachable, and answered
through the action as a user would see it."""

import pytest
import textstat
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import reply_to_question
from bme.answers import Context
from bme.knowledge import QuestionCard
from bme.questions import (
    Decision,
    card_on_the_subject,
    conditions_of,
    decide,
    decide_for_message,
    index_for,
    names_its_own_subject,
    names_only_its_own_subjects,
    on_the_sites,
    points_back_at_a_treatment,
    read_message,
    strays_from_its_subjects,
    uncovered_subject,
)
from bme.retrieval import CardMatch
from bme.vocabulary import matcher_for
from tests.answers.scoring import says_not_covered, says_out_of_scope

MAX_PATIENT_GRADE = 7


def cards(kb):
    return list(kb.questions.values())


def test_every_card_selects_existing_facts_and_only_in_scope_cards_have_them(kb):
    for card in cards(kb):
        assert all(fact in kb.facts for fact in card.facts), card.id
        if card.out_of_scope:
            assert card.facts == [] and card.answer is None, card.id
        else:
            assert 1 <= len(card.facts) <= 4, card.id


def own_question(card):
    """An out-of-scope card's question names its subject ("gout")."""
    return f"what about {card.question}?" if card.out_of_scope else card.question


def test_no_card_is_unreachable(kb):
    """Asked as its own question, every card is the reply: answered, or declined."""
    index = index_for(kb)
    for card in cards(kb):
        matches = index.rank(own_question(card))
        decision = decide(matches, follow_up=False)
        assert card in (decision.card, decision.out_of_scope), (card.id, [m.card.id for m in matches])


def made_up_card(card_id, *facts):
    answer = {"patient": "Yes.", "professional": "Yes."}
    asked_as = [f"{card_id} {number}" for number in range(3)]
    return QuestionCard(id=card_id, question=f"{card_id}?", asked_as=asked_as, answer=answer, facts=list(facts))


BRUISE_HOW_LONG = made_up_card("bruise_how_long", "bruise_healing", "bruise_definition")


def test_a_weak_match_is_answered_when_every_choice_would_lead_to_its_facts():
    what_is_a_bruise = made_up_card("what_is_a_bruise", "bruise_definition")
    matches = [CardMatch(BRUISE_HOW_LONG, 0.33), CardMatch(what_is_a_bruise, 0.32)]
    assert decide(matches, follow_up=False).card is BRUISE_HOW_LONG


def test_a_weak_match_with_a_rival_subject_is_offered_as_a_choice():
    running = made_up_card("running", "return_to_running")
    decision = decide([CardMatch(BRUISE_HOW_LONG, 0.28), CardMatch(running, 0.26)], follow_up=False)
    assert decision.card is None and decision.choices == [BRUISE_HOW_LONG, running]


def test_a_match_too_weak_to_answer_is_offered_even_without_rivals():
    """A clinician's question on prescribing in general comes no closer than this to the CRMO card."""
    decision = decide([CardMatch(BRUISE_HOW_LONG, 0.27)], follow_up=False)
    assert decision.card is None and decision.choices == [BRUISE_HOW_LONG]


def test_a_likely_match_is_answered_with_its_rival_offered_after_it():
    running = made_up_card("running", "return_to_running")
    decision = decide([CardMatch(BRUISE_HOW_LONG, 0.36), CardMatch(running, 0.34)], follow_up=False)
    assert decision.card is BRUISE_HOW_LONG and decision.choices == [running]


def test_an_uncovered_subject_that_matches_best_is_declined_with_its_covered_rivals_offered():
    knee_replacement = QuestionCard(
        id="knee_replacement",
        question="knee replacement",
        asked_as=["new knee", "knee op", "joint replacement"],
        out_of_scope=True,
        ask_instead="A knee specialist can help with this.",
    )
    knee_edema = made_up_card("knee_edema", "knee_edema_fact")
    decision = decide([CardMatch(knee_replacement, 0.50), CardMatch(knee_edema, 0.47)], follow_up=False)
    assert decision.out_of_scope is knee_replacement and decision.choices == [knee_edema]


def test_a_card_out_of_scope_says_who_can_help_instead_and_only_such_a_card_does(kb):
    with pytest.raises(ValueError, match="ask_instead"):
        QuestionCard(id="gout_too", question="gout", asked_as=["a", "b", "c"], out_of_scope=True)
    in_scope = made_up_card("knee_edema", "knee_edema_fact").dict()
    with pytest.raises(ValueError, match="ask_instead"):
        QuestionCard(**{**in_scope, "ask_instead": "A vet can help with this."})


@pytest.mark.parametrize(
    "story, declined",
    [
        (
            "My son is applying to a service academy. He has had stress fractures from running 50 miles a week. "
            "He now wears orthotics and runs again. Does he need a waiver for the stress fractures?",
            True,
        ),
        # The same story, asking about the fractures: a covered question.
        (
            "My son is applying to a service academy. He has had stress fractures from running 50 miles a week. "
            "He now wears orthotics and runs again. Will the stress fractures come back?",
            False,
        ),
    ],
)
def test_a_question_on_a_medical_waiver_is_declined_even_with_a_stress_fracture_in_the_story(kb, story, declined):
    assert declines_as(kb, text_of(reply(kb, story)), "medical_waivers") == declined


GOUT_QUESTION = "What foods should I avoid with gout?"


def test_a_patient_told_a_subject_is_not_covered_is_told_who_can_help_with_it(kb):
    """A decline is no dead end: the last sentence names who to ask, in plain words."""
    text = text_of(reply(kb, GOUT_QUESTION))
    assert says_not_covered(kb, text)
    assert text.endswith(kb.questions["gout"].ask_instead)


def test_a_clinician_told_a_subject_is_not_covered_is_not_sent_to_a_doctor(kb):
    text = text_of(reply(kb, GOUT_QUESTION, slots={"audience": "professional"}))
    assert says_not_covered(kb, text)
    assert kb.questions["gout"].ask_instead not in text


HAIR_LOSS_STORY = "I'm a 40-year-old swimmer and my hair has been falling out. Should I be worried?"


@pytest.mark.parametrize("audience, told_who_can_help", [(None, True), ("caregiver", True), ("professional", False)])
def test_a_message_about_nothing_covered_tells_a_patient_who_can_help(kb, audience, told_who_can_help):
    text = text_of(reply(kb, HAIR_LOSS_STORY, slots={"audience": audience} if audience else None))
    assert says_out_of_scope(kb, text)
    assert text.endswith(kb.messages["ask_elsewhere"].text) == told_who_can_help


def test_a_declined_subject_is_said_first_and_the_close_covered_questions_follow(kb):
    """The reply says what is not covered, then offers what came close, so a user who meant it loses nothing."""
    messages = reply(
        kb,
        (
            "My knee has felt bruised on the inside for weeks and the physio thinks the fluid sac there is inflamed. "
            "Should I rest it?"
        ),
    )
    assert says_not_covered(kb, messages[0]["text"])
    payloads = [button["payload"] for message in messages[1:] for button in message.get("buttons") or []]
    assert any('"question_card"' in payload for payload in payloads)
    assert kb.messages["or_did_you_mean"].text in text_of(messages[1:])


def test_a_likely_answer_comes_first_and_a_close_rival_is_offered_after_it(kb):
    messages = reply(kb, "My MRI shows edema in the hip. Will I need an operation or is walking enough?")
    assert kb.questions["surgery_needed"].answer.patient in messages[0]["text"]
    assert kb.messages["or_did_you_mean"].text in text_of(messages[1:])
    payloads = [button["payload"] for message in messages[1:] for button in message.get("buttons") or []]
    assert any('"question_card"' in payload for payload in payloads)


def test_patients_can_read_the_direct_answers(kb):
    hard = {
        card.id: textstat.flesch_kincaid_grade(card.answer.patient)
        for card in cards(kb)
        if card.answer and textstat.flesch_kincaid_grade(card.answer.patient) > MAX_PATIENT_GRADE
    }
    assert hard == {}


def reply(kb, text, slots=None, intent=None, entities=(), decision=None):
    """What the user sees when ``text`` reaches the question path; ``slots`` were set by earlier
    messages; ``decision``: the cards' decision, when a test sets it rather than the ranking."""
    return replied(kb, text, slots, intent, entities, decision)[0]


def replied(kb, text, slots=None, intent=None, entities=(), decision=None):
    """The messages and the events of the question path (see reply)."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": entity, "value": value} for entity, value in entities],
        "intent_ranking": [],
    }
    earlier = [{"event": "slot", "name": name, "value": value} for name, value in (slots or {}).items()]
    events = [*earlier, {"event": "user", "text": text, "parse_data": latest}]
    tracker = Tracker("user-1", slots or {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = reply_to_question(dispatcher, tracker, kb, decision)
    return dispatcher.messages, events


def text_of(messages):
    return "\n".join(message.get("text") or "" for message in messages)


def declines_as(kb, text, card_id):
    """The reply opens with "I don't cover" and the out-of-scope card's subject."""
    return text.startswith(kb.messages["not_covered"].text.format(subject=kb.questions[card_id].question))


def test_a_story_gets_the_direct_answer_of_its_question(kb):
    story = (
        "I slipped on the stairs in March and my knee has ached ever since. The GP sent me for a scan. "
        "The report mentions a bone bruise on the inner side of the joint. I'm on my feet all day at work. "
        "How long will it take to heal?"
    )
    card = kb.questions["bone_bruise_how_long"]
    assert card.answer.patient in text_of(reply(kb, story))


# A sacral fracture of weak bones asked about with its care (the card's told_by): the vocabulary
# reads an insufficiency fracture as a stress fracture, which alone ranks the athletes' card first.
OLDER_SACRAL_STORY = (
    "My mother is 86 and has osteoporosis. Her back and buttock started hurting last week with no fall, "
    "and the MRI shows a sacral insufficiency fracture. Should she stay in bed until it heals?"
)


@pytest.mark.parametrize(
    "story, card_id",
    [
        (
            "My husband has just been diagnosed with Charcot foot and he is in an airboot. "
            "How long before he can put weight through the foot?",
            "charcot_cast",
        ),
        # An operation on a collapsed foot: when it is done and its risks, not the cast's months.
        (
            "My Charcot foot from diabetes has collapsed and I walk on the bone. "
            "Is a fusion just trading one problem for another?",
            "charcot_surgery",
        ),
        (
            "There is no damage to any tendons or ligaments in my knee. It is just very badly bruised under the "
            "kneecap. The doctor took away my knee brace and crutches. Can I do any damage by walking on it?",
            "can_i_walk_on_it",
        ),
        (
            "I was on prednisone for a few months for my asthma. Now my hip hurts when I walk. "
            "Can steroids cause avascular necrosis?",
            "steroids_and_osteonecrosis",
        ),
        # Not the definition card: how it is treated, with when to get it checked.
        (
            "The MRI says I have a bone bruise in my shin after a fall. What treatment helps a bone bruise heal?",
            "bone_bruise_treatment",
        ),
        # Not the healing time of bone marrow edema: osteonecrosis may not heal by itself.
        (
            "My aunt was told she has avascular necrosis in her hip. What happens if she doesn't have the operation?",
            "osteonecrosis_outlook",
        ),
        # "Femoral head softening", as translated questions call osteonecrosis of the hip.
        ("The doctor said it might be femoral head softening. What does that mean?", "is_it_osteonecrosis"),
        # Not cross-training while a bone heals.
        (
            "My 78 year old mother broke a vertebra from osteoporosis in the spring. She wants to stay fit. "
            "What exercise can she do?",
            "exercise_after_spinal_fracture",
        ),
        # Not the evidence for bone marrow edema treatments in general (named_condition_first).
        (
            "Our son plays football and the scan found spondylolysis. Which treatment has the best evidence?",
            "spondylolysis_young_athlete",
        ),
        # A card whose facts are on the named condition is on it, though its wordings do not name it.
        ("The scan says transient osteoporosis of the hip. Is it going to come back?", "will_it_come_back"),
        # Not whether it is worth it.
        ("What exactly is a kyphoplasty? The hospital wants to do one on my mother.", "what_is_vertebroplasty"),
        # Not the healing time of bone marrow edema: the arthritis behind it is what gets treated.
        (
            "My MRI shows bone marrow edema in both sacroiliac joints. The rheumatologist says it is axial "
            "spondyloarthritis. Will it go away?",
            "inflammatory_arthritis_edema",
        ),
        # Not the athletes' card on pelvic stress fractures.
        (OLDER_SACRAL_STORY, "sacral_insufficiency_fracture_treatment"),
        # Not the stress fracture card: a back brace is no walking boot.
        (
            "My mother has a compression fracture in her back. Does she need a TLSO brace?",
            "brace_after_spinal_fracture",
        ),
        # A normal radiograph read as such, not osteoporosis care.
        (
            "Grandma fell and hurt her hip. She has osteopenia. The hip radiograph showed no fracture, but she still "
            "cannot stand. What should happen next?",
            "hip_fracture_not_seen_on_xray",
        ),
        # Not the card on bisphosphonates for marrow edema.
        (
            "My son is 24 and has avascular necrosis in his hip from steroids. Could a bone medicine like "
            "alendronate save the hip?",
            "bisphosphonates_for_osteonecrosis",
        ),
        # Not the bone check after the fracture.
        (
            "My mother broke a vertebra last week and the pain is terrible. The doctor suggested calcitonin. "
            "Does it work?",
            "calcitonin_for_spinal_fracture_pain",
        ),
        # Not the card on its treatment: the safety of the cement injection it offers.
        (
            "My mother is 84 and cracked her sacrum from osteoporosis. The doctor mentioned sacroplasty. Is it safe?",
            "sacroplasty_risks",
        ),
        # A stress fracture at the fifth metatarsal's base stays covered, named with Jones.
        ("I have a Jones stress fracture from running. How long will I be in the boot?", "stress_fracture_treatment"),
        # Not the card on spine fractures found by chance, which its last line matches best.
        ("My dad's MRI says compression fracture at L1 with edema. Is it new or old?", "spine_mri_edema"),
        # A suspected broken hip's tests, not a broken bone the assistant declines.
        (
            "My mother is 88 with dementia and fell at the care home. The hip X-ray shows no fracture but she "
            "screams when they move her leg. Could it still be broken?",
            "hip_fracture_not_seen_on_xray",
        ),
    ],
)
def test_a_story_on_one_of_our_conditions_gets_the_card_on_it(kb, story, card_id):
    assert kb.questions[card_id].answer.patient in text_of(reply(kb, story))


def test_a_story_of_a_broken_foot_asking_about_the_boot_is_one_of_ours(kb):
    story = "I broke my foot last month. It hurt a lot at first. Now I walk in the boot without pain. Can I stop?"
    assert not strays_from_its_subjects(kb, read_message(kb, story), best=0.5, discussed=False)


def test_a_story_that_names_none_of_our_subjects_is_declined_however_its_last_line_matches(kb):
    story = (
        "My husband slipped on the ice and hurt his wrist. The clinic put it in a splint. "
        "He has to stay off work for a month. What would you recommend for him?"
    )
    assert index_for(kb).rank(story, limit=1)[0].card.id == "recommend_for_me"
    assert decide_for_message(kb, story).unrelated


def test_a_story_that_asks_nothing_and_names_none_of_our_subjects_is_declined(kb):
    """Told without a question, a story off the assistant's ground still gets no card; one whose best
    card is an out-of-scope subject is declined by that subject's name."""
    falls = "My dad is 70 and keeps losing his balance. He fell twice this month. He has started using a walking stick."
    assert decide_for_message(kb, falls).unrelated
    wrist = "I work at a desk all day. My wrist has ached for three weeks. It is worse when I type for a long time."
    assert decide_for_message(kb, wrist).out_of_scope.id == "sprains_and_ligaments"
    on_ours = "I run five days a week. My shin has hurt for two months. The MRI shows a stress reaction in the tibia."
    assert decide_for_message(kb, on_ours).card is not None


def test_a_story_that_names_only_a_painkiller_is_not_one_of_ours(kb):
    """Pain relief is covered for the assistant's conditions, not for any ache: a painkiller alone
    does not make a story its subject, while a covered condition or sign told with it does."""
    aches = (
        "My husband hurt his shoulder lifting boxes at work last month. He has taken naproxen every day "
        "since then. Is that safe for him?"
    )
    assert decide_for_message(kb, aches).unrelated
    fracture = (
        "My husband has a stress fracture in his foot from training for a marathon. He has taken naproxen "
        "every day since then. Is that safe for him?"
    )
    assert decide_for_message(kb, fracture).card is not None


def test_a_treatment_without_sources_told_only_in_the_story_does_not_decline_the_question(kb):
    story = (
        "I tried PRP and acupuncture for my knee and nothing helped. The MRI shows bone marrow edema. "
        "What else can I do?"
    )
    decision = decide_for_message(kb, story)
    assert decision.out_of_scope is None and decision.card is not None


def test_is_it_cancer_leads_with_the_answer(kb):
    text = text_of(reply(kb, "is bone marrow oedema a type of cancer?"))
    assert kb.questions["is_it_cancer"].answer.patient in text
    assert kb.facts["bme_cause_tumour"].patient in text


def test_running_after_a_drug_question_does_not_inherit_the_drug(kb):
    text = text_of(reply(kb, "can I still go running?", slots={"treatment": "nsaids"}))
    assert kb.questions["return_to_running"].answer.patient in text
    assert "NSAID" not in text and kb.facts["nsaids_first_line"].patient not in text


def test_a_personal_question_offers_the_plan(kb):
    messages = reply(kb, "what would you recommend for me?")
    assert kb.questions["recommend_for_me"].answer.patient in text_of(messages)
    buttons = [button["payload"] for message in messages for button in message.get("buttons") or []]
    assert kb.buttons.make_plan.payload in buttons


def test_an_unrelated_subject_is_declined_by_name(kb):
    text = text_of(reply(kb, "what helps a gout flare in my big toe?"))
    assert declines_as(kb, text, "gout")


def test_a_short_follow_up_keeps_the_conversation_s_subject(kb):
    """ "What are its side effects?" after iloprost: the iloprost facts, not a card's guess."""
    text = text_of(reply(kb, "what are its side effects?", {"treatment": "iloprost"}, "ask_side_effects"))
    assert kb.facts["iloprost_side_effects"].patient in text


def test_an_opening_question_pointing_back_still_gets_its_card(kb):
    text = text_of(reply(kb, "will it come back?"))
    assert kb.questions["will_it_come_back"].answer.patient in text


def test_a_named_treatment_gets_its_own_card_not_another_treatments(kb):
    """ "Does hyperbaric oxygen work?" ranked the iloprost card first when no card was about HBOT."""
    text = text_of(
        reply(kb, "does hyperbaric oxygen work for bone marrow edema?", None, "ask_treatment", [("treatment", "hbot")])
    )
    answered = [card.id for card in cards(kb) if card.answer and card.answer.patient in text]
    assert answered == ["hbot_what_to_expect"]


def test_an_unsure_card_answers_when_the_topic_has_nothing_on_what_is_named(kb):
    """A clinician's case naming a bisphosphonate and AVN: no diagnosis fact is about both, so the
    likely card answers rather than "I don't have sourced information on that"."""
    case = (
        "Woman with right hip pain, on a bisphosphonate and recurrent prednisone tapers for asthma; MRI shows "
        "bony edema of the femoral head and neck. The work-up raised concern for atypical fracture, AVN or "
        "transient osteoporosis. How do I tell them apart and how should she be managed?"
    )
    named = [(match.entity, match.value) for match in matcher_for(kb).find(case)]
    text = text_of(reply(kb, case, None, "ask_diagnosis", named))
    on_the_named = [
        "transient_osteoporosis",
        "toh_or_early_avn_on_mri",
        "is_it_osteonecrosis",
        "bisphosphonate_thigh_fracture",
    ]
    assert any(text.startswith(f"**{kb.questions[card].question}**") for card in on_the_named)


def test_a_likely_card_on_the_named_subject_and_asked_topic_is_not_set_aside_for_the_topic(kb):
    """A parent's story: X-rays normal, then an MRI found a stress fracture, "How could that be
    missed?". The signs card (normal X-ray, MRI grades it) leads, not the diagnosis topic's first
    facts on stress fractures, even with rivals close behind."""
    story = (
        "My son runs long distance and had foot pain. The X-rays were fine, so he kept running. Weeks "
        "later an MRI showed a stress fracture. How could the first X-ray miss it?"
    )
    match = index_for(kb).rank(story)[0]
    rival = next(card for card in cards(kb) if card.id == "spinal_fracture_unnoticed")
    decision = Decision(card=match.card, choices=[rival], score=match.score)
    subject = Context(condition="stress_fracture")
    assert match.card.id == "stress_fracture_signs" and decision.unsure
    assert card_on_the_subject(kb, decision, subject)
    text = text_of(reply(kb, story, None, "ask_diagnosis", [("condition", "stress_fracture")]))
    assert text.startswith(f"**{match.card.question}**")


@pytest.mark.parametrize("intent", ["ask_treatment", "ask_prognosis", "ask_causes"])
def test_an_unsure_card_on_the_named_subject_answers_whatever_topic_the_classifier_read(kb, intent):
    """The classifier reads a story whole; the card was matched to the sentence that asks."""
    card = kb.questions["stress_fracture_signs"]
    decision = Decision(card=card, choices=[kb.questions["xray_was_normal"]], score=0.5)
    story = (
        "My son runs and his foot hurts. The X-ray was fine. Then the MRI found a stress fracture. How was it missed?"
    )
    messages = reply(kb, story, None, intent, [("condition", "stress_fracture")], decision)
    assert messages[0]["text"].startswith(f"**{card.question}**")


def test_asking_what_else_can_be_done_is_no_question_on_the_drug_already_tried(kb):
    """ "The paracetamol isn't doing much. What else can be done?" asks past paracetamol: the
    painkiller cards must not be the only ones left to answer it."""
    story = (
        "My dad is 79. He bent down and felt a crack in his back. The GP says it's a compression fracture "
        "from osteoporosis. He's in a lot of pain and the paracetamol isn't doing much. What else can be done?"
    )
    decision = decide_for_message(kb, story)
    offered = [card.id for card in [decision.card, *decision.choices] if card]
    assert "spinal_fracture_pain" in offered
    tried = (
        "My bone marrow edema in the ankle was diagnosed 8 months ago and it's still painful. "
        "I've done everything: rest, boot, physio. What are my options now?"
    )
    assert decide_for_message(kb, tried).card.id == "how_is_it_treated"


def test_it_said_of_the_body_does_not_point_back_at_the_story_drug(kb):
    """ "Hope it gets better" speaks of the foot, not of the ibuprofen the story tells; "is it
    safe" still points back at the drug."""
    story = (
        "My foot is stiff on my hike despite taking ibuprofen. It may be a metatarsal stress fracture. "
        "Should I rest now and hope it gets better, or keep going?"
    )
    assert decide_for_message(kb, story).card.id in {"stress_fracture_signs", "stress_fracture_treatment"}
    asking_of_the_drug = "My foot hurts from a metatarsal stress fracture and I take ibuprofen. Is it safe?"
    assert decide_for_message(kb, asking_of_the_drug).card.id == "can_i_take_ibuprofen"


def test_a_card_asking_only_about_the_story_drug_is_left_out_when_the_question_asks_elsewhere(kb):
    """ "Doctor ordered me to rest, ibuprofen, ice" tells the drug; "How did you deal?" does not ask
    about it. "What's the difference?" after two named procedures points back at both."""
    story = (
        "I suffered a stress fracture running a half-marathon last week. Doctor ordered me to rest, ibuprofen, "
        "ice, etc. I am bored and depressed without exercise. Has an injury derailed your fitness goals? "
        "How did you deal?"
    )
    assert decide_for_message(kb, story).card.id not in {"can_i_take_ibuprofen", "nsaids_slow_healing"}
    difference = (
        "I saw an article about a new way to repair broken bones in the spine with cement. They used two "
        "words for it: vertebroplasty and kyphoplasty. What's the difference?"
    )
    assert decide_for_message(kb, difference).card.id == "what_is_vertebroplasty"


def test_a_drug_told_only_in_the_story_does_not_make_the_topic_answer_an_unsure_card(kb):
    """ "Numerous anti-inflammatory medicines have been no help" tells of NSAIDs, it does not ask about them."""
    story = (
        "I am 82 and my back pain is so bad I can hardly bear it. Numerous anti-inflammatory medicines "
        "have been no help. I was told my backbones are brittle and fracturing. Can you give me any information?"
    )
    card = kb.questions["spinal_fracture_pain"]
    decision = Decision(card=card, choices=[kb.questions["home_care"]], score=0.35)
    messages = reply(kb, story, None, "ask_treatment", [("treatment", "nsaids")], decision)
    assert messages[0]["text"].startswith(f"**{card.question}**")
    asked = story.replace("Can you give me any information?", "Can I take stronger anti-inflammatory medicines?")
    messages = reply(kb, asked, None, "ask_treatment", [("treatment", "nsaids")], decision)
    assert not messages[0]["text"].startswith(f"**{card.question}**")


@pytest.mark.parametrize(
    "subject, score",
    [
        (Context(condition="bone_bruise"), 0.5),  # its facts are about another condition
        (Context(condition="stress_fracture"), 0.35),  # too weak a match to lead
    ],
)
def test_otherwise_the_topic_answers_an_unsure_card(kb, subject, score):
    decision = Decision(
        card=kb.questions["stress_fracture_signs"], choices=[kb.questions["xray_was_normal"]], score=score
    )
    assert not card_on_the_subject(kb, decision, subject)


@pytest.mark.parametrize(
    "text, card_id",
    [
        ("I suffer from gout. What foods should I avoid?", "gout"),
        (
            "She sprained her ankle last week and still uses crutches. When can she go back to gym?",
            "sprains_and_ligaments",
        ),
        ("Does a bone marrow biopsy hurt?", "blood_cancers_and_marrow_tests"),
        ("My doctor says my knees are bone on bone, what now?", "general_knee_arthritis"),
        ("The MRI shows a torn meniscus and no bone contusion. Do I need surgery?", "meniscus_tears"),
        ("The X-ray of my neck shows a bone island. Is it dangerous?", "bone_cysts"),
        ("My son has Osgood-Schlatter disease. Should he stop football?", "growth_plate_problems"),
        ("My nephew has just been told he has osteosarcoma. How is it treated?", "bone_cancer_itself"),
        ("What are the early warning signs of bone cancer?", "bone_cancer_itself"),
        ("My DEXA scan says osteopenia. How often should it be repeated?", "osteoporosis_care"),
        (
            "I have two cracked ribs from a fall off a ladder. How long until I can sleep on that side?",
            "acute_fractures",
        ),
        ("My son has a thigh contusion from a knee in football. When can he train again?", "muscle_injury"),
        ("My MRI report mentions degenerative disc disease at L4-L5. Is that serious?", "disc_wear"),
        ("What helps the burning pain of peripheral neuropathy in my feet?", "nerve_problems"),
        (
            "I'm diabetic with an ulcer on the ball of my foot. Will special shoes help it close?",
            "foot_ulcers_and_wounds",
        ),
        # An animal's bone bruise is declined although a bone bruise is covered.
        ("My horse has a bone bruise on the cannon bone. How long should stall rest last?", "animals"),
        # A treatment without checked sources, asked about, though bone marrow edema is covered.
        ("My MRI shows bone marrow edema in the knee. Would PRP injections help?", "treatments_without_sources"),
        # A drug told in the story, not asked about, does not make the question one on that drug.
        (
            "I have osteopenia and take calcium and vitamin D every day. My doctor now suggests a medicine. "
            "Is this really necessary?",
            "osteoporosis_care",
        ),
        (
            "He sprained his knee playing soccer and took ibuprofen for a week. The knee feels stable now. "
            "Can he play baseball this spring?",
            "sprains_and_ligaments",
        ),
        # Scope rule 4 (tests/answers/README.md): going on with or stopping a bone medicine taken
        # for thin bones alone is osteoporosis care, though the medicine is ours.
        (
            "My mother has osteoporosis and has been on Fosamax for nine years. Is it safe to stop now?",
            "osteoporosis_care",
        ),
        ("I take alendronate for thin bones and my GP wants to take me off it. Should I worry?", "osteoporosis_care"),
        # Taken for years, a bone medicine is taken for thin bones, though the story does not say so.
        ("I have been on Fosamax for 7 years. Should I take a drug holiday?", "osteoporosis_care"),
        (
            "I have taken Fosamax for nearly eight years, with no history of falls or broken bones. "
            "Do I need to continue taking it?",
            "osteoporosis_care",
        ),
        ("How long must I take bisphosphonates for osteoporosis? Is it a lifelong commitment?", "osteoporosis_care"),
        (
            "I take Prolia for osteoporosis and I am moving into a care home. Is it dangerous if the shots stop?",
            "osteoporosis_care",
        ),
        # A break the story denies is no break: starting a bone medicine for thin bones alone.
        (
            "I have osteoporosis and will start taking Fosamax next week. I have never broken a bone. Is it safe?",
            "osteoporosis_care",
        ),
        # Iloprost asked about for a circulation problem, the other illness it is given for.
        ("How does iloprost help the blood flow in Raynaud's?", "circulation_problems"),
        # Exercise for thin bones, with no fracture told.
        ("I have osteoporosis. Is it safe for me to take up golf or pilates?", "osteoporosis_care"),
        # Heel pain at the first steps after sleep is how plantar fasciitis is told without its name.
        ("My heel is agony for the first few steps when I get up, then it eases off. What is it?", "plantar_fasciitis"),
        # Keyhole surgery on the hip, however it is worded, is the hip surgeon's.
        ("My son has keyhole surgery on his hip next month. How long will he be on crutches?", "other_hip_problems"),
        # A bone broken by an injury, in words the card does not list, with a covered painkiller.
        ("My dad slipped on the stairs and cracked two ribs. Is oxycodone safe for him?", "acute_fractures"),
        ("I fractured my pelvis in a motorcycle accident last month. When will I walk normally?", "acute_fractures"),
        ("What sort of recovery can my mum expect after fracturing her hip?", "acute_fractures"),
        # A report's wording, at a knee.
        ("Mildly depressed acute fracture of the lateral tibial plateau? What does this mean?", "acute_fractures"),
        # A Jones fracture is a break at the fifth metatarsal's base, however it is worded.
        ("The surgeon says my son has a Jones fracture of his fifth metatarsal. Is a screw needed?", "acute_fractures"),
        # A pubic ramus broken in a fall.
        ("Grandma slipped in the kitchen and fractured her pubic rami. How long until she walks?", "acute_fractures"),
        # A car that rolled over is a high-energy injury, however the fracture is called.
        ("My car rolled over and I mildly fractured my L4 vertebrae. Is it safe to lift now?", "spine_trauma"),
        # Nerves are pinched anywhere: the card names no body site that would limit it.
        ("The podiatrist thinks the burning between my toes is a Morton neuroma. Will it go away?", "nerve_problems"),
        ("My father has myelodysplastic syndrome. Why does he need a marrow test?", "blood_cancers_and_marrow_tests"),
        ("Is raloxifene safer than other pills for thin bones?", "osteoporosis_care"),
        # A drug holiday, which only a long course for thin bones has, named or not.
        ("I'm on a Fosamax drug holiday. When should I go back on it?", "osteoporosis_care"),
        ("What do you think of Prolia for osteoporosis?", "osteoporosis_care"),
        (
            "My doctor wants me to take a pill once a week to strengthen my bones. Do I have to take it for life?",
            "osteoporosis_care",
        ),
        # Choosing a bone medicine for thin bones, or stopping one given on its long-term schedule.
        (
            "My GP says I have osteoporosis after the menopause. Which pill is the best option for me?",
            "osteoporosis_care",
        ),
        ("I can't tolerate alendronate for my osteoporosis. Is there an alternative?", "osteoporosis_care"),
        ("My mother gets Prolia every six months. Can she stop it after the next shot?", "osteoporosis_care"),
        ("What exercises help golfer's elbow? The doctor called it medial epicondylitis.", "tendon_problems"),
        ("My vitamin D level is 14. How long should I take 50,000 IU a week?", "vitamin_d_deficiency"),
        ("Is tramadol OK for the pain of my failed hip replacement?", "other_hip_problems"),
        ("The X-ray shows a bone spur on my knee. What can be done?", "general_knee_arthritis"),
        # A lump in the soft tissue, not in a bone.
        ("What is the treatment for a plantar fibroma found on an MRI?", "soft_tissue_lumps"),
        # Asked about, complex regional pain syndrome is declined even after a broken foot.
        ("Please explain CRPS. My sister broke her foot in May and it still burns.", "chronic_pain_in_general"),
        # An older person's slipped vertebra comes from worn discs and joints.
        ("My mother is 79 and her MRI report says spondylolisthesis at L4-L5. Will she need surgery?", "disc_wear"),
        # A painkiller asked about for a subject not covered asks about that subject's pain.
        (
            "My doctor put me on 400 mg of ibuprofen twice a day for tendonitis. Is that safe for my stomach?",
            "tendon_problems",
        ),
        ("I sprained my ankle playing netball. Can I take ibuprofen?", "sprains_and_ligaments"),
        # The shin in "shin splints" names that condition, not a sore bone.
        (
            "I get shin splints every season when I run. Can I just take ibuprofen and run through the pain?",
            "shin_splints",
        ),
        # Knee pain from running, named, is no sign of a stress fracture.
        ("My IT band acts up every time I hit the 5 mile mark. Could it be the shoes?", "runners_knee_pain"),
        (
            "My knee arthritis is getting worse. Should I take more Tylenol or switch to ibuprofen?",
            "general_knee_arthritis",
        ),
        # A break fixed with metalwork in an operation is trauma care, whichever bone it is.
        ("I fractured my talus climbing and had surgery with a pin. Is it safe to boulder again?", "acute_fractures"),
    ],
)
def test_a_question_naming_only_another_condition_is_declined_by_it(kb, text, card_id):
    assert uncovered_subject(kb, read_message(kb, text)).id == card_id


@pytest.mark.parametrize(
    "text",
    [
        "I was in a car accident and have a compression fracture of L1. How long do I wear the brace?",
        "My son fell off a ladder and fractured his T12 vertebra. When can he go back to work?",
        # A fall of so many feet, however worded: the feet measure, they name no foot.
        "After a 12-foot fall from scaffolding he has an L2 compression fracture. How long is the brace?",
        "I fell about 3 metres while climbing and broke my L1 vertebra. Will it heal on its own?",
    ],
)
def test_a_spine_fracture_from_an_accident_is_spine_trauma(kb, text):
    """The spine fractures covered are those of weak bones; a crash or a fall from a height brings
    fractures a spine surgeon looks after."""
    assert uncovered_subject(kb, read_message(kb, text)).id == "spine_trauma"


@pytest.mark.parametrize(
    "story",
    [
        "I broke my arm skiing and have been taking ibuprofen. Does it slow the healing?",
        # Any name of the NSAIDs vocabulary entry, which the acute fracture card refers to.
        "I fractured my wrist in a fall and my GP gave me meloxicam. Does it slow the healing?",
    ],
)
def test_whether_anti_inflammatories_slow_a_broken_bone_s_healing_is_answered(kb, story):
    """The healing of broken bones on NSAIDs is covered (fact: nsaids_and_bone_healing)."""
    assert kb.questions["nsaids_slow_healing"].answer.patient in text_of(reply(kb, story))


@pytest.mark.parametrize(
    "story",
    [
        "The MRI of our daughter shows edema in the L4 pedicle, likely a stress reaction. Is this common?",
        "My son was told he has a stress fracture in his back. He plays cricket. When can he bowl again?",
    ],
)
def test_a_stress_injury_told_with_a_lumbar_level_or_a_sport_points_to_spondylolysis(kb, story):
    """MRI reports name the pedicle next to the pars, apart from the words "stress reaction"; a
    young athlete's spine stress fracture is a pars fracture."""
    assert read_message(kb, story).sign.points_to == "spondylolysis"


def test_a_stress_reaction_elsewhere_with_going_back_to_sport_is_no_spine_sign(kb):
    story = "He went back to baseball a week later and the stress reaction in his elbow hurt again. What now?"
    assert read_message(kb, story).sign is None


def test_a_drug_told_in_the_story_that_no_fitting_card_is_about_leaves_the_cards_to_its_condition(kb):
    """No card on the hip is about dexamethasone: the osteonecrosis it caused still gets its card."""
    story = (
        "I was on dexamethasone for months during my cancer treatment, and now the MRI shows avascular necrosis "
        "in both hips. Is this going to get worse?"
    )
    decision = decide_for_message(kb, story)
    assert decision.card and "osteonecrosis" in conditions_of(kb, decision.card)


def test_osteopenia_in_one_bone_is_not_declined_as_osteoporosis_care(kb):
    """Thin bone in one area of an X-ray is how transient osteoporosis shows, weeks in."""
    story = (
        "My ankle has hurt for two months with no injury. I limp by the evening. "
        "The X-ray shows osteopenia of the talus. What could this be?"
    )
    assert not says_not_covered(kb, text_of(reply(kb, story)))


def test_a_story_naming_only_another_condition_is_declined_though_it_asks_nothing(kb):
    story = (
        "I have run for twenty years. Since March my Achilles tendon has been sore and tight. "
        "I have worn a boot for four weeks and I miss running badly."
    )
    assert declines_as(kb, text_of(reply(kb, story)), "tendon_problems")


@pytest.mark.parametrize(
    "text",
    [
        "I sprained my ankle and the MRI shows a bone bruise. How long will it take?",
        "I broke my arm and take ibuprofen. Does it slow the healing?",
        "The MRI shows bone marrow edema and a torn ACL. Can I walk on it?",
        "How long does bone marrow edema take to heal?",
        "MRI shows a bruise of the lateral femoral condyle and a mild MCL sprain. How should he be managed?",
        "Her MRI shows edema in the sacrum. She has a back sprain. What does she have?",
        "My MRI shows bone marrow edema in the femur. Could it be bone cancer?",
        "My mother has bone metastases and a new spinal compression fracture. Can she have kyphoplasty?",
        # The rider's own injury, not the horse's.
        "My horse threw me last week and the MRI shows a bone bruise in my knee. How long will it take to heal?",
        # A car crash is spine trauma only with a spine fracture.
        "After a car accident the MRI shows a bone bruise in my knee. How long will it hurt?",
        "My mother is 82 and has a compression fracture in her spine. Does she need a brace?",
        # A bone medicine's own risks, or thin bones after a spine fracture, keep stopping it in scope.
        "I have osteoporosis and my dentist worries about my jaw. Should I stop taking Fosamax?",
        "My mother broke a vertebra from osteoporosis. Should she keep taking Fosamax?",
        # Thin bones told with the back are a sign of a spine fracture, which is ours.
        "I have osteoporosis and my back hurts. How can I stop the pain?",
        "The MRI shows a heel stress fracture. It hurts most with the first steps out of bed. How long will it take?",
        "Can core decompression of the hip be done by arthroscopy?",
        # Whether a painkiller slows a broken bone's healing is covered; so is one for a sign of ours.
        "I broke my arm last week. Is it OK to take ibuprofen, or does it slow the healing?",
        # A thigh bone broken on a bone medicine may be its rare atypical fracture, which is covered.
        "After years of Reclast I broke my femur and needed a screw put in. Was it the drug?",
        "My shin hurts in one spot when I run and is sore to press. I also have tendonitis. Can I take ibuprofen?",
        # A stomach ulcer is no foot ulcer; an ulcer told with a Charcot foot keeps the foot's care.
        "I had a stomach ulcer years ago. Can I take ibuprofen for my stress fracture?",
        "I have Charcot foot and an ulcer on the sole of my foot. How long will I be in the cast?",
        # Iloprost asked about for the bone, by someone who also has a circulation problem.
        "I have Raynaud's and bone marrow edema in my knee. Can I have iloprost?",
    ],
)
def test_a_question_naming_one_of_our_subjects_is_not_declined_by_another(kb, text):
    assert uncovered_subject(kb, read_message(kb, text)) is None


def test_a_subject_at_one_body_site_is_not_named_by_a_message_about_another(kb):
    """A cortisone shot is a wording of knee arthritis care: in a story about the hip it names no knee."""
    question = "Is a cortisone shot every three months safe?"
    hip = read_message(kb, f"My hip hurts when I run and the MRI shows no arthritis. {question}")
    knee = read_message(kb, f"My knee is stiff and sore in the morning. {question}")
    assert "general_knee_arthritis" not in [card.id for card in hip.uncovered]
    assert "general_knee_arthritis" in [card.id for card in knee.uncovered]
    # "PF" is plantar fasciitis under the foot, the patellofemoral joint at the knee.
    patellofemoral = read_message(kb, "The MRI shows bone marrow edema in the PF joint of my knee. Will it heal?")
    assert "plantar_fasciitis" not in [card.id for card in patellofemoral.uncovered]


def test_a_subject_denied_by_its_whole_name_is_not_named(kb):
    """ "A stress fracture, not Achilles tendonitis": the negation takes back the whole name."""
    denied = read_message(kb, "The doctor confirmed a stress fracture, not Achilles tendonitis. What now?")
    assert denied.uncovered == []
    told = read_message(kb, "I have Achilles tendonitis. What now?")
    assert [card.id for card in told.uncovered] == ["tendon_problems"]


def test_the_words_of_a_subject_not_covered_inside_one_of_ours_name_nothing(kb):
    """The word "cartilage" names knee arthritis care, but not inside "a fracture under the cartilage"."""
    story = (
        "His knee was scoped in March. The MRI shows a fracture under the cartilage. Will he need a knee replacement?"
    )
    assert read_message(kb, story).uncovered == []
    assert text_of(reply(kb, story)).startswith(f"**{kb.questions['subchondral_insufficiency_fracture'].question}**")


def test_knee_arthritis_is_its_wear_not_an_inflammatory_arthritis(kb):
    """Marrow edema under an arthritic knee is the knee arthritis card's, not the one on rheumatoid
    arthritis or ankylosing spondylitis."""
    story = "The MRI of my knee arthritis shows bone marrow edema. Is that why it hurts so much?"
    assert text_of(reply(kb, story)).startswith(f"**{kb.questions['knee_arthritis_marrow_lesions'].question}**")


def test_a_bone_medicine_for_thin_bones_alone_is_declined_and_after_a_spine_fracture_answered(kb):
    """Bisphosphonates are ours for marrow edema and after a spine fracture, not for osteopenia on its own."""
    thin_bones = text_of(reply(kb, "I have osteopenia and my GP wants me on alendronate. Is it worth it at 58?"))
    assert declines_as(kb, thin_bones, "osteoporosis_care")
    after_a_fracture = text_of(reply(kb, "After my spine fracture, should I have a bone density test?"))
    assert kb.questions["bone_check_after_spinal_fracture"].answer.patient in after_a_fracture


def test_a_story_of_a_bone_medicine_and_jaw_bone_death_gets_the_risks_card(kb):
    """Osteonecrosis of the jaw is the medicine's risk, not the hip's osteonecrosis."""
    story = (
        "My dentist is upset that I take Boniva because of jaw bone death. My rheumatologist wants me on it. "
        "Which of them is right?"
    )
    named = [(match.entity, match.value) for match in matcher_for(kb).find(story)]
    text = text_of(reply(kb, story, None, "ask_treatment", named))
    assert kb.questions["bisphosphonate_risks"].answer.patient in text


def test_a_thigh_ache_on_a_bone_medicine_gets_the_thigh_fracture_card_not_the_drip_reaction(kb):
    """The risks card leads with the drip's flu-like reaction; a question about the thigh bone
    gets the card that leads with the atypical fracture."""
    question = (
        "I've been on Actonel for seven years and now my upper thigh aches when I walk. Could the pills crack my femur?"
    )
    decision = decide_for_message(kb, question)
    assert decision.card is kb.questions["bisphosphonate_thigh_fracture"]
    assert decision.card.facts[0] == "atypical_femoral_fracture"


def test_myeloma_and_tumours_are_our_subject_in_the_spine_only(kb):
    """In the spine they bring the fractures the assistant covers; elsewhere they are not its subject."""
    in_the_spine = "My father's myeloma has reached his spine. What can help the pain?"
    elsewhere = "My father's myeloma has reached his hip. What can help the pain?"
    assert names_its_own_subject(kb, matcher_for(kb).find(in_the_spine))
    assert not names_its_own_subject(kb, matcher_for(kb).find(elsewhere))


def test_a_question_on_a_covered_subject_is_not_declined_for_a_close_wording(kb):
    """A bone growth stimulator is a covered treatment, however near the wordings of broken toes come."""
    question = "My orthopedist gave me a bone growth stimulator for my foot fracture. Does it really work?"
    text = text_of(reply(kb, question))
    assert kb.questions["pemf_what_to_expect"].answer.patient in text


def test_myeloma_on_its_own_is_declined_as_a_blood_cancer(kb):
    """Myeloma is covered only with the spine fractures it brings; its diagnosis is not."""
    text = text_of(reply(kb, "How is multiple myeloma diagnosed?"))
    assert declines_as(kb, text, "blood_cancers_and_marrow_tests")


# A story that names none of the assistant's subjects, and one that names a bone bruise.
PREGNANCY_STORY = (
    "My wife is 30 weeks pregnant. Her lower back aches every evening and she sleeps badly. "
    "What can she do to feel better?"
)
FOOTBALL_STORY = (
    "I twisted my knee playing football three weeks ago. It still clicks when I climb stairs. "
    "The physio gave me exercises. When can I play again?"
)


@pytest.mark.parametrize("story", [PREGNANCY_STORY, FOOTBALL_STORY])
def test_a_story_naming_nothing_the_assistant_covers_gets_what_it_covers(kb, story):
    assert says_out_of_scope(kb, text_of(reply(kb, story)))


@pytest.mark.parametrize(
    "question", ["What's the best way to cook rice?", "How do I get my toddler to sleep?", "Is coffee bad for you?"]
)
def test_a_question_naming_nothing_the_assistant_covers_needs_a_clear_card(kb, question):
    """It comes near "best way to help a bruised bone heal" or the pain-at-night card, but not near
    enough to answer without rivals."""
    assert says_out_of_scope(kb, text_of(reply(kb, question)))


@pytest.mark.parametrize(
    "story",
    [
        "My hair has been falling out. Is it serious?",
        "I have a headache. Should I be worried?",
        "I have a rash on my arm. How long will it last?",
    ],
)
def test_a_short_story_off_the_assistants_ground_gets_what_it_covers(kb, story):
    """Each matched a card closely: the risks of marrow edema in a bone, or transient osteoporosis in pregnancy."""
    assert says_out_of_scope(kb, text_of(reply(kb, story)))


@pytest.mark.parametrize(
    "story, card_id",
    [
        ("My MRI came back. What does it mean?", "what_is_bme"),
        ("It still hurts after 6 weeks. Is that normal?", "how_long_to_heal"),
        ("I have knee pain. What should I do?", "how_to_manage_pain"),
    ],
)
def test_a_short_story_on_the_assistants_ground_gets_its_card(kb, story, card_id):
    assert text_of(reply(kb, story)).startswith(f"**{kb.questions[card_id].question}**")


# Patients' questions that name no subject, written for the subjectless-question rule, that got a
# card before it and still do ("can I take a bath?", which got the ibuprofen card, is declined).
SUBJECTLESS_QUESTIONS = [
    "Can I drive?",
    "Will it hurt?",
    "Is surgery needed?",
    "What should I eat to heal faster?",
    "How long until I can walk normally?",
    "Can I still go to the gym?",
    "Should I be worried?",
    "What exercises can I do?",
    "Is it serious?",
    "How do I sleep with this pain?",
    "What does my MRI mean?",
    "Do I need to rest?",
    "Why does it hurt more at night?",
    "My knee hurts, what can I do?",
    "My doctor said there's swelling in the bone, what does that mean?",
    "Is it normal to still have pain after 3 months?",
    "What causes this?",
    "Should I use ice or heat?",
    "Is walking good for it?",
    "My foot is still swollen after 6 weeks, is that normal?",
    "Can children get this?",
    "What tests will I need?",
    "When should I see a doctor?",
    "Is there anything I can take for the pain?",
    "Why is my ankle still sore?",
    "Will I need an operation?",
]


@pytest.mark.parametrize("question", SUBJECTLESS_QUESTIONS)
def test_a_question_on_the_subject_without_naming_it_is_answered(kb, question):
    text = text_of(reply(kb, question))
    assert not says_out_of_scope(kb, text)
    assert not says_not_covered(kb, text)


def test_a_subject_the_story_itself_names_is_not_taken_for_one_discussed_before(kb):
    """Rasa fills the slots from the message's own entities before the action runs: a story naming
    only a tumour (a brain tumour) is not a story told after a covered subject."""
    story = (
        "My aunt had a brain tumour removed last year. She is tired all the time now. "
        "Her memory is worse too. Is that normal after surgery?"
    )
    latest = {"text": story, "intent": {"name": "ask_definition", "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "text": story}, {"event": "slot", "name": "condition", "value": "bone_tumour"}]
    tracker = Tracker("user-1", {"condition": "bone_tumour"}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    reply_to_question(dispatcher, tracker, kb)
    assert says_out_of_scope(kb, text_of(dispatcher.messages))


# A runner's story telling bone pain that comes with running, naming no condition.
RUNNER_STORY = (
    "I took up running in the spring and now run five times a week. For three weeks my left hip "
    "and groin have ached on every run. Resting a few days did not stop it. Should I keep going?"
)


def test_a_story_telling_a_sign_of_a_covered_condition_is_answered_on_it(kb):
    """Bone pain that builds with running points to a bone stress injury (knowledge/signs.yml)."""
    text = text_of(reply(kb, RUNNER_STORY))
    assert not says_out_of_scope(kb, text)
    assert "stress fracture" in text.lower()


def test_a_story_telling_only_a_sign_gets_the_card_on_its_signs_first(kb):
    """Whoever tells a runner's bone pain without its name needs to know first whether it may be a
    stress fracture, even when the last line asks how long it takes."""
    story = RUNNER_STORY.replace("Should I keep going?", "How long will it take to heal?")
    messages = reply(kb, story)
    assert messages[0]["text"].startswith(f"**{kb.questions['stress_fracture_signs'].question}**")


@pytest.mark.parametrize(
    "story",
    [
        "I run cross country and every year I get two or three stress fractures in my feet. "
        "I have tried new orthotics. Should I be worried?",
        "This is my second stress fracture from running in a year and the MRI shows it healing. How did this happen?",
    ],
)
def test_stress_fractures_that_keep_coming_ask_why_whatever_the_last_line_matches(kb, story):
    """The story tells the question (knowledge/questions/causes.yml told_by): the causes, not what
    a stress fracture is or how it is treated."""
    messages = reply(kb, story)
    assert messages[0]["text"].startswith(f"**{kb.questions['why_stress_fractures'].question}**")


def test_one_stress_fracture_asked_how_long_is_not_asked_why(kb):
    story = "I have a stress fracture in my shin from running. How long until I can run again?"
    assert decide_for_message(kb, story).card.id != "why_stress_fractures"


# A dancer's story telling bone pain that has spread from class to walking, naming no condition.
DANCER_STORY = (
    "My daughter is 14 and does ballet five days a week. The top of her foot has hurt after class "
    "for a month, and now it even hurts when she walks to school. What could it be?"
)


def test_the_condition_a_sign_tells_is_kept_for_the_follow_ups(kb):
    """The condition slot, which Rasa fills only from a named condition, gets the sign's."""
    messages, events = replied(kb, DANCER_STORY)
    assert messages[0]["text"].startswith(f"**{kb.questions['stress_fracture_signs'].question}**")
    kept = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert kept["condition"] == "stress_fracture"
    follow_up = text_of(reply(kb, "How long would she need to stop dancing?", slots={"condition": "stress_fracture"}))
    assert follow_up.startswith(f"**{kb.questions['return_to_running'].question}**"), follow_up


def test_how_long_after_edema_from_a_fall_asks_how_long_a_bone_bruise_takes(kb):
    """The sign's condition is kept, so the bare follow-up asks about the bone bruise."""
    story = "I'm 45 and the MRI shows bone marrow edema in my knee after a fall. Can I walk on it?"
    assert decide_for_message(kb, story).told_condition == "bone_bruise"
    follow_up = text_of(reply(kb, "How long does it take?", slots={"condition": "bone_bruise"}))
    assert follow_up.startswith(f"**{kb.questions['bone_bruise_how_long'].question}**"), follow_up


@pytest.mark.parametrize(
    "story",
    [
        DANCER_STORY.replace("What could it be?", "Her doctor thinks it is a stress fracture. What could help?"),
        "I sprained my ankle last week and the whole foot is painful to walk on. What could it be?",
    ],
)
def test_a_story_naming_its_condition_or_telling_no_sign_keeps_none(kb, story):
    """A named condition fills the slot from its entity; a story without the sign tells none."""
    assert decide_for_message(kb, story).told_condition is None


@pytest.mark.parametrize(
    "story, sign",
    [
        (RUNNER_STORY.replace("in the spring", "for the fall marathon season"), "running_bone_pain"),
        (RUNNER_STORY.replace("For three weeks", "I landed hard on a rock and for three weeks"), None),
    ],
)
def test_a_fall_is_an_injury_but_the_fall_is_a_season(kb, story, sign):
    found = read_message(kb, story).sign
    assert (found.id if found else None) == sign


def test_a_sign_told_with_a_subject_not_covered_is_declined(kb):
    story = RUNNER_STORY.replace("my left hip and groin have ached", "my shins have ached").replace(
        "Should I keep going?", "My coach says it is shin splints. Should I keep going?"
    )
    assert declines_as(kb, text_of(reply(kb, story)), "shin_splints")


def test_shin_splints_told_with_a_runners_pain_in_one_spot_at_night_is_answered_on_stress_fractures(kb):
    """A stress fracture is often first called shin splints: pain in one spot and at night mark the bone."""
    story = (
        "I run about thirty miles a week. My shin hurts in one spot and now it aches at night too. "
        "My GP says it's shin splints. Should I get an MRI?"
    )
    text = text_of(reply(kb, story))
    assert not says_not_covered(kb, text)
    assert "stress fracture" in text.lower()


def test_a_sore_spot_on_the_shin_bone_in_a_new_runner_is_answered_on_stress_fractures(kb):
    story = (
        "I started running three weeks ago. Now there is a sharp pain in a spot on the front of my shin bone. "
        "Is this shin splints?"
    )
    text = text_of(reply(kb, story))
    assert text.startswith(f"**{kb.questions['stress_fracture_signs'].question}**")


def test_thin_bones_told_with_the_spine_are_a_question_on_spine_fractures(kb):
    story = (
        "I am 75 and my doctor says I have osteoporosis. I walk every day. Could my spine break, and what would I feel?"
    )
    text = text_of(reply(kb, story))
    assert not says_out_of_scope(kb, text)
    assert "spine fracture" in text


def test_thin_bones_found_in_pregnancy_are_a_question_on_transient_osteoporosis(kb):
    story = "I am 34 weeks pregnant and a scan found osteoporosis. Will it get better after the birth?"
    text = text_of(reply(kb, story))
    assert text.startswith("**What is transient osteoporosis of the hip in pregnancy?**")


def test_an_injury_with_a_normal_x_ray_is_answered_on_what_an_x_ray_misses(kb):
    story = (
        "I landed badly off a wall two weeks ago. My heel still hurts when I walk. "
        "The x-ray didn't show a fracture. What else could it be?"
    )
    text = text_of(reply(kb, story))
    assert text.startswith("**Why did my X-ray look normal?**")
    assert "a normal X-ray does not rule it out" in text


# Sudden knee pain without an injury in later life (knowledge/signs.yml), with the thin bones the
# story tells as its history.
SUDDEN_KNEE_STORY = (
    "I am 68. Three weeks ago I woke up with a sharp pain on the inside of my knee, with no injury. "
    "It is worse when I stand and it keeps me up at night. I was told years ago I have osteopenia. "
    "What could this be?"
)


def test_sudden_knee_pain_in_later_life_is_answered_on_a_crack_under_the_joint_surface(kb):
    """Osteopenia told as history does not make the story osteoporosis care."""
    text = text_of(reply(kb, SUDDEN_KNEE_STORY))
    assert text.startswith(f"**{kb.questions['subchondral_insufficiency_fracture_signs'].question}**")
    assert "MRI" in text


@pytest.mark.parametrize(
    "story",
    [
        SUDDEN_KNEE_STORY.replace("with no injury", "after I twisted it"),
        SUDDEN_KNEE_STORY.replace("I am 68. ", "").replace(" I was told years ago I have osteopenia.", ""),
    ],
)
def test_knee_pain_after_a_twist_or_without_later_life_tells_no_insufficiency_fracture_sign(kb, story):
    found = read_message(kb, story).sign
    assert not found or found.id != "sudden_knee_pain_in_later_life"


@pytest.mark.parametrize(
    "story",
    [
        "I'm a marathon runner and the MRI shows a sacral stress fracture. How long until it heals?",
        OLDER_SACRAL_STORY.replace(" Should she stay in bed until it heals?", " How do doctors find this?"),
    ],
)
def test_a_runners_sacral_fracture_or_a_question_on_its_signs_keeps_its_own_card(kb, story):
    text = text_of(reply(kb, story))
    assert not text.startswith(f"**{kb.questions['sacral_insufficiency_fracture_treatment'].question}**")


# A runner's fracture they kept running on, naming no condition (knowledge/signs.yml).
KEPT_RUNNING_STORY = (
    "I run about forty miles a week. My doctor thinks there is a small fracture, but there has been no scan "
    "yet. I have been running with it for a month. Is it likely to get worse if I carry on?"
)


@pytest.mark.parametrize(
    "story, condition",
    [
        (
            "I banged my knee on a car door and got a big bruise. Two weeks on, the bone under it still aches. "
            "Should I worry?",
            "bone bruise",
        ),
        (KEPT_RUNNING_STORY, "stress fracture"),
    ],
)
def test_a_story_telling_a_knock_that_bruised_a_bone_or_a_fracture_run_on_is_answered_on_it(kb, story, condition):
    text = text_of(reply(kb, story))
    assert not says_out_of_scope(kb, text)
    assert condition in text.lower()


@pytest.mark.parametrize(
    "telling",
    [
        "It goes away after a mile or so.",
        "There is no point tenderness.",
        "The bone is not sore to the touch.",
        "It feels better when I've warmed up.",
        "It isn't a stress fracture, I can still run.",
        "It feels like a tendon rather than the bone.",
    ],
)
def test_pain_that_eases_with_running_or_is_not_sore_to_press_tells_no_runner_s_sign(kb, telling):
    """A stress fracture's pain gets worse with running, and its spot is sore to press; a story
    that says it is no stress fracture, or places the pain in a tendon, tells none."""
    assert read_message(kb, RUNNER_STORY.replace("Resting a few days", f"{telling} Resting a few days")).sign is None


def test_both_shins_aching_with_running_tell_no_sign_but_one_sore_spot_does(kb):
    """Shins that ache with running are how shin splints are told; one spot of bone marks a fracture."""
    assert read_message(kb, "I started running a month ago and my shins hurt on every run. Any tips?").sign is None
    one_spot = "I started running a month ago and my shin hurts in one spot, even at night. Any tips?"
    assert read_message(kb, one_spot).sign.points_to == "stress_fracture"


def test_a_fracture_from_a_fall_tells_no_runner_s_sign(kb):
    fall = KEPT_RUNNING_STORY.replace("My doctor thinks", "I fell on a trail and my doctor thinks")
    assert says_out_of_scope(kb, text_of(reply(kb, fall)))


@pytest.mark.parametrize(
    "story",
    [
        "I was kicked in the thigh playing football and have a huge bruise on the muscle. How long will it last?",
        "I tore my hamstring sprinting. How long until I can run again?",
    ],
)
def test_a_bruised_or_torn_muscle_is_declined(kb, story):
    assert declines_as(kb, text_of(reply(kb, story)), "muscle_injury")


def test_a_report_of_normal_marrow_rules_out_the_stress_fracture_suspected_before_it(kb):
    story = (
        "My doctor suspected a stress fracture in my foot and sent me for an MRI. The report says "
        "mild muscular edema, likely a muscular strain. Marrow signal is normal. Should I keep the boot on?"
    )
    assert declines_as(kb, text_of(reply(kb, story)), "muscle_injury")
    assert not says_out_of_scope(kb, text_of(reply(kb, story.replace("Marrow signal is normal. ", ""))))


def test_a_sign_makes_a_story_the_assistants_own_unless_it_names_a_subject_not_covered(kb):
    """Out-of-scope cards may not decline a story whose sign points to a covered condition, unless
    the story also names an uncovered subject (shin splints)."""
    shin_splints = RUNNER_STORY.replace("Should I keep going?", "Is it shin splints?")
    for story, own in ((RUNNER_STORY, True), (shin_splints, False)):
        assert names_only_its_own_subjects(kb, read_message(kb, story)) is own


def test_a_disc_found_on_the_mri_outranks_the_sign_of_a_young_athletes_back_pain(kb):
    """The sign points to spondylolysis, but a scan that found a protruding disc has named the
    cause, and disc pain is not covered."""
    story = (
        "My son is 15 and plays football. He has had back pain since a tackle in June. "
        "The MRI showed a small disc protrusion at L5. Should he keep playing?"
    )
    assert declines_as(kb, text_of(reply(kb, story)), "spinal_decompression")


def test_a_young_athletes_back_pain_called_a_strain_gets_the_spondylolysis_card(kb):
    """A pars stress fracture is often first called a back strain; declining the story as a strain
    would repeat the mistake."""
    story = (
        "My daughter is 15 and does gymnastics. Her lower back hurts every time she arches. "
        "The coach says it is just a back strain. Should she see someone?"
    )
    assert decide_for_message(kb, story).card is kb.questions["spondylolysis_young_athlete"]


def test_a_stress_fracture_in_a_young_athletes_back_is_spondylolysis(kb):
    """The sign says more exactly what a named stress fracture is (spondylolysis includes it, see
    vocabulary.yml), where a named bone bruise would say something else."""
    story = (
        "Our 11 year old daughter plays tennis and has lower back pain. "
        "Her physio suspects a stress fracture. How should we manage her training?"
    )
    assert decide_for_message(kb, story).card is kb.questions["spondylolysis_young_athlete"]
    assert read_message(kb, story.replace("stress fracture", "bone bruise")).implied == []


def test_a_named_condition_says_more_than_a_sign(kb):
    story = RUNNER_STORY.replace("Resting a few days", "The MRI showed a bone bruise. Resting a few days")
    assert read_message(kb, story).implied == []
    assert read_message(kb, RUNNER_STORY).implied == ["condition_stress_fracture"]


@pytest.mark.parametrize(
    "telling",
    ["I rolled my ankle playing netball.", "I twisted my ankle on the stairs.", "I hurt my ankle after a fall."],
)
def test_bone_marrow_edema_after_an_injury_is_a_bone_bruise(kb, telling):
    """Bone marrow edema after an injury is a bone bruise: its cards answer, though the MRI named
    only the edema, and a runner's story that also tells bone pain with running is read the same."""
    story = f"{telling} The MRI shows bone marrow edema in the talus. It still hurts. Can I still play?"
    assert decide_for_message(kb, story).card is kb.questions["bone_bruise_treatment"]
    running = story.replace("It still hurts.", "My foot still hurts when I run.")
    assert read_message(kb, running).sign.points_to == "bone_bruise"


def test_a_card_on_the_condition_a_sign_tells_comes_before_the_general_one(kb):
    """Edema after a twist is a bone bruise: "How is it treated?" asks how a bone bruise is."""
    story = "I twisted my knee skiing. The MRI shows bone marrow edema in the tibia. How is it treated?"
    assert decide_for_message(kb, story).card is kb.questions["bone_bruise_treatment"]


def test_hip_edema_soon_after_a_birth_is_transient_osteoporosis_in_pregnancy(kb):
    """The MRI names only the edema; hip pain weeks after the birth says which condition it is."""
    story = (
        "My wife had her baby 3 weeks ago and now can barely walk because of hip pain. The MRI says "
        "bone marrow edema in the femoral head. What is going on?"
    )
    assert decide_for_message(kb, story).card is kb.questions["toh_in_pregnancy"]
    after_a_fall = story.replace("had her baby 3 weeks ago", "fell 3 weeks ago")
    assert decide_for_message(kb, after_a_fall).card is not kb.questions["toh_in_pregnancy"]


def test_a_parent_asking_whether_crmo_is_cancer_gets_the_answer_on_crmo(kb):
    """Not the card on marrow edema in general, which says nothing of a child's CRMO."""
    story = "My daughter has CRMO. Is it the same as cancer? Will she grow out of it?"
    text = text_of(reply(kb, story))
    assert text.startswith(f"**{kb.questions['crmo_not_cancer'].question}**")
    assert "It is not cancer." in text


def test_bone_marrow_edema_after_a_fall_in_the_spine_tells_no_bone_bruise(kb):
    """In the spine, edema after a fall is how a fresh compression fracture shows."""
    story = "My mother fell last week. The MRI shows bone marrow edema in the L1 vertebra. What happens now?"
    assert read_message(kb, story).sign is None


def test_a_normal_xray_says_less_than_a_sign(kb):
    """An X-ray that showed nothing names no cause: a stress injury often does not show on it."""
    story = RUNNER_STORY.replace("Resting a few days", "The X-rays were negative. Resting a few days")
    assert read_message(kb, story).implied == ["condition_stress_fracture"]


def test_a_card_about_the_lower_back_does_not_answer_a_stress_reaction_at_the_hip(kb):
    """Spondylolysis is a stress fracture of the lower back: its card's question says so, and the
    body-site rule keeps it from a runner's femoral neck."""
    story = "I run 50 miles a week and my doctor found a femoral neck stress reaction. How long will I be off?"
    text = text_of(reply(kb, story))
    assert kb.questions["stress_fracture_how_long"].answer.patient in text
    assert kb.questions["spondylolysis_young_athlete"].answer.patient not in text


def test_bone_density_checks_are_osteoporosis_care(kb):
    text = text_of(reply(kb, "My sister has thin bones. How often should she have her bone density checked?"))
    assert declines_as(kb, text, "osteoporosis_care")


def test_ultrasound_for_fracture_healing_is_declined(kb):
    text = text_of(reply(kb, "Does low-intensity pulsed ultrasound really make a slow fracture heal faster?"))
    assert declines_as(kb, text, "ultrasound_bone_healing")


@pytest.mark.parametrize(
    "question", ["My knee MRI shows bone marrow lesions. Should I tell my doctor?", "What is a BML on a knee scan?"]
)
def test_bone_marrow_lesions_are_asked_about_as_knee_arthritis_names_them(kb, question):
    assert kb.questions["knee_arthritis_marrow_lesions"].answer.patient in text_of(reply(kb, question))


def test_a_spinal_fusion_is_declined(kb):
    text = text_of(reply(kb, "I am having a lumbar fusion next month. How long will I be off work?"))
    assert declines_as(kb, text, "spinal_decompression")


def test_why_asks_for_a_cause_and_where_for_a_place(kb):
    """Both say what is asked, so they are matched like the subject's words."""
    story = (
        "This is my third stress fracture: first the tibia, then the hip, now a metatarsal. "
        "Why does this keep happening to me?"
    )
    assert kb.questions["why_stress_fractures"].answer.patient in text_of(reply(kb, story))


def test_a_story_naming_a_covered_subject_is_answered(kb):
    story = FOOTBALL_STORY.replace("It still clicks when I climb stairs.", "The MRI showed a bone bruise.")
    assert kb.questions["exercise_with_bone_bruise"].answer.patient in text_of(reply(kb, story))


def test_a_story_after_a_covered_subject_goes_on_with_it(kb):
    """Told after a bone bruise was discussed, the story is read as if it named it (goes_on_with)."""
    text = text_of(reply(kb, FOOTBALL_STORY, slots={"condition": "bone_bruise"}))
    assert kb.questions["exercise_with_bone_bruise"].answer.patient in text


@pytest.mark.parametrize(
    "condition, question, card",
    [
        (
            "vertebral_compression_fracture",
            "And is it safe for her to lift weights at the gym?",
            "exercise_after_spinal_fracture",
        ),
        ("stress_fracture", "How long will it take to heal?", "stress_fracture_how_long"),
        ("osteonecrosis", "Will I need surgery?", "osteonecrosis_outlook"),
    ],
)
def test_a_question_naming_no_subject_keeps_the_condition_discussed(kb, condition, question, card):
    """Not the general card the words alone match best (exercise while a bone heals, a bone
    bruise's healing time, a stress fracture's treatment)."""
    assert text_of(reply(kb, question, slots={"condition": condition})).startswith(f"**{kb.questions[card].question}**")


@pytest.mark.parametrize("condition", ["multiple_myeloma", "inflammatory"])
def test_a_condition_covered_only_with_another_is_not_carried_into_a_decline(kb, condition):
    text = text_of(reply(kb, "What helps the pain?", slots={"condition": condition}))
    assert kb.questions["spinal_fracture_pain"].answer.patient in text


def test_a_question_naming_its_own_subject_leaves_the_condition_discussed(kb):
    text = text_of(reply(kb, "I also have plantar fasciitis, what should I do?", slots={"condition": "bone_bruise"}))
    assert declines_as(kb, text, "plantar_fasciitis")


def test_a_subject_the_message_rules_out_is_not_declined(kb):
    text = "The MRI didn’t show any sign of a Morton’s neuroma. So what is wrong with my foot?"
    assert uncovered_subject(kb, read_message(kb, text)) is None


def test_what_a_pain_was_first_taken_for_is_not_declined(kb):
    """ "He thought he had sprained it" tells what the wrist was taken for before the diagnosis."""
    story = (
        "My husband has been diagnosed with Kienbock's disease after a sore wrist. He thought he had sprained it."
        " How common is the disease and how could we have known earlier that it wasn't a sprain?"
    )
    assert decide_for_message(kb, story).card.id == "is_it_osteonecrosis"
    assert uncovered_subject(kb, read_message(kb, "He sprained his wrist. How could we have known?")).id == (
        "sprains_and_ligaments"
    )
    # Said of a covered condition, it still names it: that is what the doctor found.
    said_of_ours = read_message(kb, "The doctor thought it was a stress fracture. How long will it take?")
    assert "stress_fracture" in [match.value for match in said_of_ours.named]


@pytest.mark.parametrize(
    ("question", "card_id"),
    [
        ("I was told I have a stress reaction. Should I worry?", "stress_reaction_or_fracture"),
        ("Can I still cycle with a stress fracture in my foot?", "exercise_while_healing"),
        ("Stress fractures in my sesamoids. Which non-weight-bearing exercises keep me fit?", "exercise_while_healing"),
        ("Is walking good for bone marrow edema in the knee?", "can_i_walk_on_it"),
        (
            "My MRI says subchondral insufficiency fracture of the medial femoral condyle. "
            "Will I need a knee replacement?",
            "subchondral_insufficiency_fracture",
        ),
        (
            "My knee MRI shows a subchondral insufficiency fracture. Do I need to keep weight off it?",
            "subchondral_insufficiency_fracture",
        ),
        ("Will physiotherapy help my bone marrow edema in the knee?", "exercise_with_knee_arthritis_lesions"),
        ("Does smoking slow down bone healing? I have a stress fracture in my shin.", "smoking_and_healing"),
    ],
)
def test_lay_words_of_asking_find_the_card_that_answers(kb, question, card_id):
    """ "Should I worry?" asks whether it is serious; cycling is exercise that spares the bone; "good"
    must not pull a walking question to the shock wave card's "is it good for"; a knee replacement
    asked about a subchondral fracture is its outlook, not knee arthritis care, and keeping weight
    off it its treatment, not the injection card whose wording names the same fracture."""
    assert kb.questions[card_id].answer.patient in text_of(reply(kb, question))


def test_a_story_of_a_warm_swollen_foot_with_nerve_damage_gets_the_charcot_signs_card(kb):
    """How an early Charcot foot shows and why it is missed, not how long its cast stays on."""
    story = (
        "My dad has diabetes and his foot is warm and swollen but hardly hurts. "
        "The GP said it was a sprain. Could it be Charcot?"
    )
    text = text_of(reply(kb, story, entities=[("condition", "charcot")]))
    assert text.startswith(f"**{kb.questions['charcot_signs'].question}**")


@pytest.mark.parametrize("plan_asked", [True, False])
def test_a_card_answering_a_message_that_also_asks_for_a_plan_offers_it(kb, plan_asked):
    """The card answers the question; the plan asked for besides it is one click away."""
    story = (
        "My mum is 86 and has a new compression fracture in her spine. The pain is still bad after "
        "two weeks of paracetamol. Is kyphoplasty worth it at her age?"
    ) + (" Can you make a plan for her?" if plan_asked else "")
    messages = reply(kb, story, entities=[("condition", "vertebral_compression_fracture")])
    assert not kb.questions["vertebroplasty_worth_it"].offers_plan
    assert messages[0]["text"].startswith(f"**{kb.questions['vertebroplasty_worth_it'].question}**")
    titles = [button["title"] for message in messages for button in message.get("buttons") or []]
    assert (kb.buttons.make_plan.title in titles) is plan_asked


def test_a_story_asking_what_to_do_gets_its_answer_with_the_plan_one_click_away(kb):
    story = "I was diagnosed with a stress fracture of the tibia last week. What should I do?"
    messages = reply(kb, story, entities=[("condition", "stress_fracture")])
    assert messages[0]["text"].startswith("**")
    titles = [button["title"] for message in messages for button in message.get("buttons") or []]
    assert kb.buttons.make_plan.title in titles


@pytest.mark.parametrize(
    "story, done",
    [
        (
            "My father had a percutaneous vertebroplasty two weeks ago for a spine fracture. His pain "
            "has not changed. What should we do?",
            True,
        ),
        ("Last year she underwent a kyphoplasty, and she still cannot get out of bed. Why?", True),
        ("The surgeon suggests kyphoplasty for my mother's spine fracture. When is it done?", False),
    ],
)
def test_a_procedure_told_as_done_gets_the_card_on_what_comes_after(kb, story, done):
    decision = decide_for_message(kb, story)
    assert decision.card is not None and (decision.card.id == "after_vertebroplasty") is done


def test_a_question_naming_two_treatments_can_get_the_card_on_either(kb):
    question = "My grandmother is 91 and takes morphine for a spine fracture. Is she too old for kyphoplasty?"
    entities = [("treatment", "morphine"), ("treatment", "kyphoplasty")]
    text = text_of(reply(kb, question, entities=entities))
    assert kb.questions["vertebroplasty_very_old"].answer.patient in text


def test_a_young_athlete_s_pars_defect_gets_the_spondylolysis_card(kb):
    """Spondylolysis has facts of its own (return to sport, bracing and healing), not the older
    adult's spinal compression fracture cards."""
    story = "The MRI shows a pars defect at L5 in my 14 year old gymnast. Will she be able to compete again?"
    named = [(match.entity, match.value) for match in matcher_for(kb).find(story)]
    assert ("condition", "spondylolysis") in named
    text = text_of(reply(kb, story, None, "ask_prognosis", named))
    assert kb.questions["spondylolysis_young_athlete"].answer.patient in text


def test_a_drug_told_in_the_story_does_not_narrow_a_question_naming_its_own_subject(kb):
    """The son's anti-inflammatory is part of the story: the question is on the bone bruise's healing."""
    story = (
        "My son has a bone bruise on his elbow. It has been four months. "
        "He has taken an anti-inflammatory off and on as well. "
        "Could there be a deeper problem or is this a normal timeline for healing of a bone bruise?"
    )
    text = text_of(reply(kb, story, entities=[("treatment", "nsaids"), ("condition", "bone_bruise")]))
    assert kb.questions["what_is_bone_bruise"].answer.patient in text
    assert kb.questions["home_care"].question not in text


def test_a_drug_told_in_the_story_does_not_narrow_a_question_that_does_not_point_back_to_it(kb):
    """The brace and the anti-inflammatory are what he is doing; the question is on keeping active."""
    story = (
        "Our son is 14 and has a stress fracture in his L4. He wears a brace and takes anti-inflammatory pills. "
        "He misses football badly. What can he do to stay fit while he rests?"
    )
    decision = decide_for_message(kb, story)
    assert decision.card is not kb.questions["can_i_take_ibuprofen"]
    assert "spondylolysis" in conditions_of(kb, decision.card)


def test_a_blood_thinner_told_in_the_story_shapes_the_painkiller_question(kb):
    """ "Which painkillers are safe?" asks something else of someone on warfarin: the answer must
    say who should ask before an anti-inflammatory."""
    story = "My mother is 84 and broke a bone in her spine. She is on apixaban. What can she take for the pain?"
    decision = decide_for_message(kb, story)
    assert decision.card is kb.questions["painkillers_with_other_medicines"]
    assert "nsaids_cautions" in decision.card.facts
    without = decide_for_message(kb, story.replace(" She is on apixaban.", ""))
    assert without.card is not kb.questions["painkillers_with_other_medicines"]


def test_a_case_story_asking_what_to_do_is_about_the_drug_it_tells_of(kb):
    """A clinician's case names the drug in the story and asks "how would you treat this patient?"."""
    case = (
        "A 62-year-old man has had chills, aching muscles and nausea for three days. "
        "He had his first intravenous zoledronic acid infusion for osteoporosis five days before. "
        "What is your diagnosis? How would you treat this patient?"
    )
    text = text_of(reply(kb, case, entities=[("treatment", "zoledronate")]))
    assert kb.questions["bisphosphonate_risks"].answer.patient in text


def test_a_card_about_one_part_of_the_body_does_not_answer_a_story_about_another(kb):
    """ "Do I need crutches for a pelvic stress fracture?" is no answer to a foot stress fracture."""
    story = (
        "I broke a bone in the top of my foot running, a stress fracture, four weeks ago. I am in a boot "
        "and on crutches, and it still hurts when I stand. Is that normal?"
    )
    named = matcher_for(kb).find(story)
    kept = {match.card.id for match in on_the_sites(kb, index_for(kb).rank(story, limit=len(kb.questions)), named)}
    assert "pelvic_stress_fracture_recovery" not in kept and "spinal_fracture_pain" not in kept
    assert "stress_fracture_signs" in kept and "barefoot_with_foot_stress_fracture" in kept


def test_a_message_naming_no_body_site_keeps_every_card(kb):
    text = "How long does a stress fracture take to heal?"
    ranked = index_for(kb).rank(text, limit=len(kb.questions))
    assert on_the_sites(kb, ranked, matcher_for(kb).find(text)) == ranked


@pytest.mark.parametrize(
    "question",
    [
        "Does vertebroplasty cause new fractures in the vertebrae next to it?",
        "Dad had kyphoplasty in May and a scan shows a new fracture just above it. Is that common after cement?",
    ],
)
def test_new_fractures_after_vertebroplasty_are_answered_with_the_trial_on_them(kb, question):
    text = text_of(reply(kb, question))
    assert kb.questions["cement_leakage"].answer.patient in text
    assert kb.facts["vertebral_augmentation_new_fractures"].patient in text


@pytest.mark.parametrize(
    "question",
    ["Is hyperbaric oxygen safe?", "My doctor suggested the oxygen chamber for my hip. What are the side effects?"],
)
def test_hyperbaric_oxygen_comes_with_its_risks(kb, question):
    text = text_of(reply(kb, question))
    assert kb.facts["hbot_option"].patient in text
    assert kb.facts["hbot_safety"].patient in text


def test_a_steroid_injection_for_bone_marrow_edema_is_answered_with_its_harms(kb):
    text = text_of(reply(kb, "Can a cortisone injection help bone marrow edema?"))
    assert kb.facts["steroid_joint_injection_harms"].patient in text


def test_a_steroid_injection_for_an_arthritic_knee_is_still_declined(kb):
    decision = decide_for_message(kb, "Should I get a cortisone shot for my arthritic knee?")
    assert decision.out_of_scope is kb.questions["general_knee_arthritis"]


def test_in_a_near_tie_the_asking_sentence_wins_over_the_storys_subject(kb):
    story = "My MRI says subchondral bone marrow edema in the medial tibial plateau. Do I need surgery?"
    assert decide_for_message(kb, story).card is kb.questions["surgery_needed"]


def test_a_charcot_foot_called_a_sprain_is_not_declined_as_one(kb):
    """An early Charcot foot is often first called a sprain; declining the story would repeat the mistake."""
    story = (
        "I'm a diabetic and my foot is swollen and red but not very painful. My GP says it's a sprain. "
        "Should I get a second opinion?"
    )
    assert decide_for_message(kb, story).card is kb.questions["charcot_signs"]
    sprain = "I sprained my ankle playing football and it is swollen. How long until I can play?"
    assert decide_for_message(kb, sprain).out_of_scope is kb.questions["sprains_and_ligaments"]
    # Nerve pain of diabetes is declined, but not with the warm, swollen foot that may be Charcot's.
    with_neuropathy = "I have diabetic neuropathy and my foot is hot and swollen but barely hurts. What is it?"
    assert decide_for_message(kb, with_neuropathy).card is kb.questions["charcot_signs"]


def test_a_stress_fracture_after_years_on_a_bone_medicine_gets_the_atypical_fracture_risk(kb):
    """Long-term bisphosphonates rarely bring an atypical thigh bone fracture, a stress-type
    fracture (fact: atypical_femoral_fracture): the risks card answers with it."""
    story = (
        "Mum has been on alendronate for seven years and an X-ray found a stress fracture in her thigh. "
        "Could the tablets be to blame?"
    )
    assert kb.facts["atypical_femoral_fracture"].patient in text_of(reply(kb, story))


def test_what_now_after_an_older_person_s_spine_fracture_is_not_answered_by_the_cancer_card(kb):
    """The card on spine fractures from cancer had a wording ending "what now", which drew every
    bare "What now?" after a spine fracture to it."""
    story = "My mother is 84 and has a compression fracture at T12. What now?"
    assert decide_for_message(kb, story).card.id != "cancer_spinal_fracture"


@pytest.mark.parametrize(
    "story",
    [
        "I came off my horse at a canter last month and the X-ray shows a compression fracture of T12. "
        "When can I ride again?",
        "My daughter got bucked off and has an L3 compression fracture. Should she wear a brace?",
    ],
)
def test_a_spine_fracture_from_a_fall_off_a_horse_is_spine_trauma(kb, story):
    assert declines_as(kb, text_of(reply(kb, story)), "spine_trauma")


def test_starting_a_bone_medicine_for_thin_bones_alone_is_osteoporosis_care(kb):
    story = "My scan shows osteoporosis and I am going to take alendronate. Should I exercise differently?"
    assert declines_as(kb, text_of(reply(kb, story)), "osteoporosis_care")


def test_the_side_effects_of_a_yearly_drip_for_thin_bones_stay_in_scope(kb):
    story = (
        "I have osteoporosis and my doctor wants me on the once-yearly zoledronic acid drip. "
        "What are the side effects of it?"
    )
    assert kb.questions["bisphosphonate_risks"].answer.patient in text_of(reply(kb, story))


@pytest.mark.parametrize(
    "text, points_back",
    [
        ("what are its side effects?", True),
        ("how long does it take?", True),
        ("is it safe with a stress fracture?", True),
        ("is it cancer?", False),
        ("could this be osteonecrosis?", False),
        ("can I take ibuprofen for it?", False),
        ("What are the side effects of iloprost?", False),
        ("what are the risks?", True),
        ("what are the risks of surgery on my knee?", False),
    ],
)
def test_a_follow_up_points_back_at_the_treatment_unless_it_has_its_own_subject(kb, text, points_back):
    assert points_back_at_a_treatment(kb, text) is points_back
