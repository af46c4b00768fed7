"""Rasa glue for questions and answers: translate trackers to the plain
Python core (``answers``, ``vocabulary``, ``knowledge``) and back."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, Callable, Dict, Iterable, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ACTION_LISTEN_NAME

from actions.dispatch import say, say_as
from actions.feedback_actions import send_rated_answer
from actions.plan_actions import why_current_question
from bme import answers
from bme.knowledge import KnowledgeBase, KnowledgeError, Message, QuestionCard, RedFlag, knowledge_base
from bme.language import written_in_english
from bme.questions import (
    Decision,
    asks_for_a_plan,
    asks_in_general,
    card_on_the_subject,
    decide_for_message,
    is_follow_up,
    names_its_own_subject,
    points_back_at_a_treatment,
    prepare,
    read_message,
    told_only_in_the_story,
    uncovered_subject,
)
from bme.retrieval import asks_a_question, question_spans, sentences, tells_a_story
from bme.vocabulary import (
    PROFESSIONAL,
    RED_FLAG_INTENTS,
    canonical_value,
    claimed_audience,
    matcher_for,
    red_flag_detector_for,
)

try:
    # Loaded, validated and indexed once when the action server imports this package;
    # rasa_sdk stops the server with this message if the import fails.
    prepare(knowledge_base())
except KnowledgeError as error:
    raise ImportError(f"The knowledge base is invalid: {error}") from error

OUT_OF_SCOPE = "out_of_scope"
# "I'm an orthopaedic surgeon, you can be technical" says who they are and nothing more.
SELF_DESCRIPTION_WORDS = 8
PLAN_TOPICS = {"treatment", "procedure", "pain_management"}
CONTEXT_ENTITIES = ("treatment", "condition", "body_site")
MAX_BUTTONS = 4
# Only the classifier heard a red flag, in a report with no question: from this confidence the
# tier's alarm is sent (a leg "cold and blue" that no phrase rule names scores about 0.99); below
# it the warning signs are named first, as for a question ("my son has pain below his kneecap
# after a growth spurt" scores 0.5).
CLASSIFIER_ALARM_AT = 0.8
# A red flag the classifier ranks second, after "who I am", from this confidence: "I'm a GP. My
# patient's leg is cold and blue and she can't move it" scores 0.25 for it (0.71 for set_audience).
RED_FLAG_RUNNER_UP_AT = 0.2


def context_of(kb: KnowledgeBase, value_of: Callable[[str], Optional[str]]) -> answers.Context:
    """The treatment, condition and body site ``value_of`` gives, as canonical vocabulary ids."""
    return answers.Context(**{name: canonical_value(kb, name, value_of(name)) for name in CONTEXT_ENTITIES})


def explicit_context(kb: KnowledgeBase, tracker: Tracker) -> answers.Context:
    """What the latest message itself names (entities or button payload)."""
    return context_of(kb, lambda name: next(tracker.get_latest_entity_values(name), None))


def carried_context(kb: KnowledgeBase, tracker: Tracker) -> answers.Context:
    """What earlier messages named, kept in slots for follow-up questions."""
    return context_of(kb, tracker.get_slot)


def earlier_context(kb: KnowledgeBase, tracker: Tracker) -> answers.Context:
    """What messages before the latest one named: the slots as they were when it arrived. Rasa fills
    the slots from the latest message's entities before an action runs, so the slots alone cannot
    tell "a story about a tumour" from "a story told after a tumour was discussed"."""
    events = tracker.events
    arrived = max((number for number, event in enumerate(events) if event.get("event") == "user"), default=0)
    values = {
        event["name"]: event.get("value")
        for event in events[:arrived]
        if event.get("event") == "slot" and event.get("name") in CONTEXT_ENTITIES
    }
    return context_of(kb, values.get)


def topic_buttons(kb: KnowledgeBase, topics: List[str], context: answers.Context) -> List[Dict[str, str]]:
    entities = context.named()
    payload_entities = ("{" + ", ".join(f'"{k}": "{v}"' for k, v in entities.items()) + "}") if entities else ""
    return [
        {"title": kb.topics[topic].label, "payload": f"/{kb.topics[topic].intent}{payload_entities}"}
        for topic in topics[:MAX_BUTTONS]
    ]


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        messages = knowledge_base().messages
        say(dispatcher, messages["greet"])
        say(dispatcher, messages["how_can_help" if tracker.get_slot("audience") else "ask_audience"])
        return []


class ActionSetAudience(Action):
    """ "I'm a GP" sets the wording for clinicians; "my surgeon said ..." does not:
    it is a question that mentions someone else's profession. "I'm a patient,
    my MRI says ... what does that mean?" sets the audience and gets its answer."""

    def name(self) -> Text:
        return "action_set_audience"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        text = tracker.latest_message.get("text") or ""
        tier = runner_up_red_flag_tier(tracker)
        if tier and len(text.split()) > SELF_DESCRIPTION_WORDS:
            # "I'm a GP. My patient's leg is cold and blue" is read as saying who they are: what it
            # tells of the patient comes first.
            return sound_alarm(dispatcher, tracker, kb, tier)
        clicked = canonical_value(kb, "audience", next(tracker.get_latest_entity_values("audience"), None))
        audience = clicked if text.startswith("/") else claimed_audience(kb, text)
        if audience is not None:
            events = take_audience(dispatcher, tracker, kb, audience)
            if not asks_more(text):
                return events
            return [*events, *(reply_to_question(dispatcher, tracker, kb) or [])]
        events = reply_to_question(dispatcher, tracker, kb)
        if events is None:
            say(dispatcher, kb.messages["ask_audience"])
        return events or []


def take_audience(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, audience: str) -> List:
    """Say the wording now suits ``audience`` and set it, for this turn's answer too."""
    say(dispatcher, kb.messages[f"audience_{audience}"])
    tracker.slots["audience"] = audience
    return [SlotSet("audience", audience)]


def take_claimed_profession(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase) -> List:
    """A question that also says who asks ("I'm a physician. What are the risks of HBOT?") is
    classified as its question, or not understood at all when it is long: the clinician still said
    who they are. Only a profession counts here, which needs the user to describe themself with
    it; "my mum" in a question is no statement of who is asking."""
    claimed = newly_claimed_profession(kb, tracker)
    return take_audience(dispatcher, tracker, kb, claimed) if claimed else []


def newly_claimed_profession(kb: KnowledgeBase, tracker: Tracker) -> Optional[str]:
    """The professional audience when the latest message claims it and it is not yet set."""
    claimed = claimed_audience(kb, tracker.latest_message.get("text") or "")
    return claimed if claimed == PROFESSIONAL and tracker.get_slot("audience") != PROFESSIONAL else None


def asks_more(text: str) -> bool:
    """A question besides saying who they are: "I'm a GP. Does iloprost work?"."""
    return "?" in text and len(text.split()) > SELF_DESCRIPTION_WORDS


def chosen_card(kb: KnowledgeBase, tracker: Tracker) -> Optional[QuestionCard]:
    """The card of a "did you mean" button the user clicked."""
    return kb.questions.get(next(tracker.get_latest_entity_values("question_card"), None) or "")


def send_card(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    kb: KnowledgeBase,
    card: QuestionCard,
    plan_follows: bool = False,
) -> List:
    """The card's answer, rated; offering the plan when the card or message calls for it, unless
    the plan follows anyway."""
    answer = answers.answer_card(kb, card, tracker.get_slot("audience"))
    buttons = [] if plan_follows else plan_buttons(kb, tracker, card.offers_plan)
    return send_rated_answer(dispatcher, kb, answer, buttons, tracker, card.id)


def plan_buttons(kb: KnowledgeBase, tracker: Tracker, offered: bool) -> List[Dict[str, str]]:
    """The "make a plan" button under an answer that offers the plan, or whose message asked for one
    besides its question ("Is it worth it at her age? Can you make a plan for her?"); none during the plan."""
    wanted = offered or asks_for_a_plan(tracker.latest_message.get("text") or "")
    return [kb.buttons.make_plan.dict()] if wanted and not tracker.active_loop_name else []


def offer_choices(
    dispatcher: CollectingDispatcher, kb: KnowledgeBase, cards: List[QuestionCard], lead: Message
) -> None:
    buttons = [{"title": card.question, "payload": f'/inform{{"question_card": "{card.id}"}}'} for card in cards]
    dispatcher.utter_message(text=lead.text, buttons=buttons + [kb.buttons.help.dict()])


def decline(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    kb: KnowledgeBase,
    subject: QuestionCard,
    choices: List[QuestionCard],
):
    """Say the subject is not covered; the covered questions that came close follow as choices
    (with the help button they bring)."""
    text = answers.not_covered(kb, subject, tracker.get_slot("audience"))
    if not choices:
        say_as(dispatcher, kb.messages["not_covered"], text)
        return
    dispatcher.utter_message(text=text)
    offer_choices(dispatcher, kb, choices, kb.messages["or_did_you_mean"])


def say_out_of_scope(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase) -> None:
    say_as(dispatcher, kb.messages["out_of_scope"], answers.out_of_scope(kb, tracker.get_slot("audience")))


def topic_answer(tracker: Tracker, kb: KnowledgeBase, topic: str) -> answers.Answer:
    explicit = explicit_context(kb, tracker)
    return answers.answer_question(kb, topic, explicit, carried_context(kb, tracker), tracker.get_slot("audience"))


def answer_topic(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, topic: str, answer: answers.Answer
) -> List:
    if not answer.found:
        buttons = topic_buttons(kb, answer.suggestions, explicit_context(kb, tracker))
        dispatcher.utter_message(text=answer.text, buttons=buttons)
        return []
    return send_rated_answer(dispatcher, kb, answer, plan_buttons(kb, tracker, topic in PLAN_TOPICS), tracker, topic)


def card_decision(tracker: Tracker, kb: KnowledgeBase) -> Decision:
    """The question card that answers the latest message, the cards to offer, the subject not
    covered, or that the message is about nothing the assistant covers."""
    text = tracker.latest_message.get("text") or ""
    card = chosen_card(kb, tracker)
    if card:
        return Decision(card=card)
    # "What are its side effects?" or "what are the risks?" asks about the treatment the last answer
    # was about. "Will it come back?" after "is it cancer?" is about the edema, not the cancer it
    # asked about nor a drug discussed before that: a carried condition is no subject to point back
    # at, so the question's card answers.
    earlier = earlier_context(kb, tracker)
    follow_up = points_back_at_a_treatment(kb, text) and last_answer_was_about(kb, tracker, earlier.treatment)
    given = [canonical_value(kb, "treatment", value) for value in tracker.get_latest_entity_values("treatment")]
    decide = partial(
        decide_for_message,
        kb,
        text,
        discussed=bool(earlier.treatment or earlier.condition),
        carried_condition=earlier.condition,
    )
    if follow_up:
        # The card on that treatment ("what are the risks?" after kyphoplasty: cement leaking), or
        # the topic path when no card is about it, or when it is the card just given.
        decision = decide(given_treatments=[earlier.treatment])
        last_facts = set(tracker.get_slot("last_facts") or [])
        card = decision.card
        # A card's answer gives all its facts, so the same facts mean the card just given.
        if card and any_fact_about(kb, card.facts, earlier.treatment) and set(card.facts) != last_facts:
            return decision
        return decide(follow_up=True)
    return decide(given_treatments=[value for value in given if value])


def any_fact_about(kb: KnowledgeBase, fact_ids: Iterable[str], treatment: Optional[str]) -> bool:
    """Whether one of the facts is about ``treatment``."""
    return bool(treatment) and any(treatment in kb.facts[fact].treatments for fact in fact_ids if fact in kb.facts)


def last_answer_was_about(kb: KnowledgeBase, tracker: Tracker, treatment: Optional[str]) -> bool:
    """Whether a fact of the last clinical answer is about ``treatment``."""
    return any_fact_about(kb, tracker.get_slot("last_facts") or [], treatment)


def reply_to_question(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    kb: KnowledgeBase,
    decision: Optional[Decision] = None,
    intent: Optional[str] = None,
) -> Optional[List]:
    """Answer from a question card (``decision``, when the caller has it already), the
    intent's topic, or a "did you mean" choice; None when none of them fits the message.
    ``intent``: what the message asks, when the caller reads it otherwise than the classifier.
    The condition a sign told in place of its name is kept for the follow-ups (the condition slot,
    which Rasa fills only from a named one)."""
    decision = decision or card_decision(tracker, kb)
    events = reply_by_decision(dispatcher, tracker, kb, decision, intent)
    if events is None or not decision.told_condition:
        return events
    return [*events, SlotSet("condition", decision.told_condition)]


def reply_by_decision(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, decision: Decision, intent: Optional[str]
) -> Optional[List]:
    """See reply_to_question."""
    text = tracker.latest_message.get("text") or ""
    explicit = explicit_context(kb, tracker)
    if decision.out_of_scope and not decision.unsure:
        decline(dispatcher, tracker, kb, decision.out_of_scope, [])
        return []
    if decision.unrelated:
        say_out_of_scope(dispatcher, tracker, kb)
        return []
    intent = intent or latest_intent(tracker)
    # A bare statement such as "I have CNO" is answered as a treatment question.
    topic = kb.topic_for_intent(intent)
    topic = topic or ("treatment" if explicit.treatment or explicit.condition else None)
    answer = topic_answer(tracker, kb, topic) if topic else None
    # When the cards are unsure, a topic the message asks about a subject for answers better, unless
    # it has nothing sourced on that subject (a drug told only in the story is not asked about);
    # nothing is offered for a message that may not be about what the assistant covers.
    asked_subject = explicit.condition or (
        explicit.treatment and not told_only_in_the_story(kb, text, explicit.treatment)
    )
    topic_fits = (
        answer
        and answer.found
        and (asked_subject or is_follow_up(text))
        and not card_on_the_subject(kb, decision, explicit)
    )
    unrelated = intent == OUT_OF_SCOPE and not (explicit.treatment or explicit.condition)
    cards_step_aside = topic_fits or unrelated
    if decision.out_of_scope and not topic_fits:
        decline(dispatcher, tracker, kb, decision.out_of_scope, decision.choices)
        return []
    if decision.card and not (decision.unsure and cards_step_aside):
        events = send_card(dispatcher, tracker, kb, decision.card)
        if decision.choices:
            offer_choices(dispatcher, kb, decision.choices, kb.messages["or_did_you_mean"])
        return events
    if decision.choices and not decision.card and not cards_step_aside:
        offer_choices(dispatcher, kb, decision.choices, kb.messages["did_you_mean"])
        return []
    return answer_topic(dispatcher, tracker, kb, topic, answer) if answer else None


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        return answer_question(dispatcher, tracker, knowledge_base())


def answer_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, intent: Optional[str] = None
) -> List:
    """The reply to a question, or the out-of-scope reply, or the likeliest topics to choose from."""
    intent = intent or latest_intent(tracker)
    audience_events = take_claimed_profession(dispatcher, tracker, kb)
    events = reply_to_question(dispatcher, tracker, kb, intent=intent)
    if events is None and intent == OUT_OF_SCOPE:
        say_out_of_scope(dispatcher, tracker, kb)
    elif events is None:
        offer_likely_topics(dispatcher, tracker, kb)
    return [*audience_events, *(events or [])]


class ActionHelp(Action):
    """ "What can you do?" gets what the assistant covers (the help menu). A question the
    classifier took for a request for help, but that names a subject ("how do I know I have
    Charcot foot?", "when to ask your doctor about bone marrow lesions?"), is answered instead, or
    declined when the subject is not covered ("what do you recommend for osteoarthritis of the
    knee?")."""

    def name(self) -> Text:
        return "action_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        text = tracker.latest_message.get("text") or ""
        if asks_a_question(text) and read_message(kb, text).names_a_subject:
            return answer_question(dispatcher, tracker, kb, intent=topic_intent(kb, tracker))
        say(dispatcher, kb.messages["help_menu"])
        return []


def asks_its_own_question(kb: KnowledgeBase, tracker: Tracker) -> bool:
    """A question naming a subject the assistant covers: the classifier's guess of a request for
    sources was wrong ("I read in the paper that Fosamax causes fractures. Should I stop it?")."""
    text = tracker.latest_message.get("text") or ""
    return asks_a_question(text) and names_its_own_subject(kb, matcher_for(kb).find(text))


def topic_intent(kb: KnowledgeBase, tracker: Tracker) -> Optional[str]:
    """The intent the classifier ranked highest among those that ask about a topic."""
    return next((name for name in ranked_intents(tracker) if kb.topic_for_intent(name)), None)


def ranked_intents(tracker: Tracker) -> List[str]:
    """The latest message's intents, likeliest first."""
    return [item["name"] for item in tracker.latest_message.get("intent_ranking") or [] if item.get("name")]


class ActionListSources(Action):
    def name(self) -> Text:
        return "action_list_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        references = tracker.get_slot("last_references") or []
        # "Which study says that about vertebroplasty?" asks for the last answer's sources; a story
        # or a first question is the classifier's wrong guess.
        story = tells_a_story(tracker.latest_message.get("text") or "")
        if (story or not references) and asks_its_own_question(kb, tracker):
            return answer_question(dispatcher, tracker, kb, intent=topic_intent(kb, tracker))
        dispatcher.utter_message(text=answers.list_sources(kb, references))
        return []


class ActionExplainWhy(Action):
    """ "Why?": during the plan, why the current question matters; otherwise
    what the last answer rests on."""

    def name(self) -> Text:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        question = why_current_question(kb, tracker)
        if question:
            dispatcher.utter_message(text=question)
            return []
        if not tracker.get_slot("last_facts"):
            # Nothing said yet to explain: "why?" was the classifier's guess for a question of its own.
            return answer_question(dispatcher, tracker, kb)
        decision = card_decision(tracker, kb)
        if asks_about_its_own_subject(tracker, kb, decision):
            return reply_to_question(dispatcher, tracker, kb, decision) or []
        dispatcher.utter_message(
            text=answers.explain_evidence(kb, tracker.get_slot("last_facts") or [], tracker.get_slot("audience"))
        )
        return []


class ActionAnswerBeforePlan(Action):
    """A plan request that asks in general ("what is the management approach for bone marrow
    edema?", often a clinician's, or "for an elderly patient with ...") is answered or declined as a
    question would be (see card_in_general), and the plan does not start: its questions are about
    one person's case. A story that asks ("Mom has a new spine
    fracture next to an old one; should we manage it the same way?") gets the card that answers it
    before the plan starts. A bare request about one's own case ("make me a plan") goes straight to
    the plan. A request naming a subject the assistant does not cover ("a plan for my tendinitis"),
    or a story about nothing it covers ("what action I should take, if any?" after a runner's
    missed periods), is declined as a question would be, and the plan does not start: its
    questions are about bone marrow edema."""

    def name(self) -> Text:
        return "action_answer_before_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        # Either branch ends the plan rule here: the next action is listening for the user's next message.
        ends_the_plan = FollowupAction(ACTION_LISTEN_NAME)
        in_general = asks_in_general(kb, tracker.latest_message.get("text") or "")
        decision = card_decision(tracker, kb) if in_general else decision_before_plan(kb, tracker)
        if decision.unrelated or decision.out_of_scope:
            reply_to_question(dispatcher, tracker, kb, decision)
            return [ends_the_plan]
        if in_general:
            return [*send_card(dispatcher, tracker, kb, card_in_general(kb, decision)), ends_the_plan]
        return send_card(dispatcher, tracker, kb, decision.card, plan_follows=True) if decision.card else []


def card_in_general(kb: KnowledgeBase, decision: Decision) -> QuestionCard:
    """The card a general plan request gets: the one on the condition it names ("the management
    approach for a patient with spondylolysis"), or the treatment overview when the card decision
    has none, or one that only offers the plan."""
    if decision.card and not decision.card.offers_plan:
        return decision.card
    return kb.questions[kb.plan.overview_card]


def decision_before_plan(kb: KnowledgeBase, tracker: Tracker) -> Decision:
    """For a request about one's own case: a subject not covered that the request names ("make me a
    plan for my tendinitis") declined; for a story that asks (two sentences or more), the card
    decision: its card answers first, unless it only offers the plan ("what would you recommend for
    me?"), which follows anyway, and a story about nothing covered is declined too. A subject only
    the ranking finds is not declined: "what's the plan of action for my foot?" comes near the
    card on finding a doctor."""
    text = tracker.latest_message.get("text") or ""
    uncovered = uncovered_subject(kb, read_message(kb, text))
    if uncovered:
        return Decision(out_of_scope=uncovered)
    if len(sentences(text)) < 2 or not question_spans(text):
        return Decision()
    decision = card_decision(tracker, kb)
    if decision.out_of_scope:
        return Decision()
    return replace(decision, card=None) if decision.card and decision.card.offers_plan else decision


def asks_about_its_own_subject(tracker: Tracker, kb: KnowledgeBase, decision: Decision) -> bool:
    """ "Why do I need vitamin D?", "why do I get gout?" or "what about cycling?", not "why do you
    say that?" or "how good is the evidence?", which are about the last answer."""
    text = tracker.latest_message.get("text") or ""
    if is_follow_up(text):
        return False
    explicit = explicit_context(kb, tracker)
    named = explicit.treatment or explicit.condition or matcher_for(kb).values(text, "asking")
    return bool(decision.out_of_scope or (decision.card and named))


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def intent_confidence(tracker: Tracker) -> float:
    return (tracker.latest_message.get("intent") or {}).get("confidence", 1.0)


def classified_tier(tracker: Tracker) -> str:
    """The tier of the red-flag intent the message was classified as; the
    emergency tier, the safe default, for any other intent."""
    return red_flag_tier(latest_intent(tracker)) or "emergency"


def red_flag_tier(intent: Optional[str]) -> Optional[str]:
    """The tier whose red-flag intent ``intent`` is, if any."""
    return next((tier for tier, name in RED_FLAG_INTENTS.items() if name == intent), None)


class ActionRedFlag(Action):
    """Urgent-care message for the red flag the user described: the flag's own
    message, or its tier's generic one when no phrase rule names the flag."""

    def name(self) -> Text:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        text = tracker.latest_message.get("text") or ""
        flag = red_flag_detector_for(kb).detect(text)
        if flag:
            # The urgent message leads, so a clinician's claim in the same message is acknowledged
            # after it, but already shapes its wording.
            claimed = newly_claimed_profession(kb, tracker)
            dispatcher.utter_message(text=answers.red_flag_message(kb, flag, claimed or tracker.get_slot("audience")))
            audience_events = take_audience(dispatcher, tracker, kb, claimed) if claimed else []
            decision = answer_after_red_flag(tracker, kb, flag, text)
            if decision and decision.card:
                say_to_audience(dispatcher, tracker, kb.messages["answer_after_red_flag"])
                return [
                    *audience_events,
                    *(reply_to_question(dispatcher, tracker, kb, decision, asked_intent(tracker)) or []),
                ]
            say_to_audience(dispatcher, tracker, kb.messages["continue_after_red_flag"])
            return audience_events
        tier = classified_tier(tracker)
        if asks_something(text) or intent_confidence(tracker) < CLASSIFIER_ALARM_AT:
            # Only the classifier heard a red flag in a question, a story or a report it is unsure
            # of: it reads falls, limps and pain as one even when nothing urgent is told ("no pain,
            # no tenderness: can I run?"). The warning signs come first when one is told in part
            # ("she can't put any weight on it"), then the answer.
            if red_flag_detector_for(kb).told_in_part(text):
                say(dispatcher, kb.messages[f"red_flag_check_{tier}"])
            return answer_question(dispatcher, tracker, kb, intent=asked_intent(tracker))
        return sound_alarm(dispatcher, tracker, kb, tier)


def sound_alarm(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, tier: str) -> List:
    """The generic urgent message of ``tier``, in a clinician's words when the message claims a
    profession (acknowledged after it)."""
    claimed = newly_claimed_profession(kb, tracker)
    urgent = kb.messages[f"red_flag_{tier}"]
    say_as(dispatcher, urgent, answers.worded_for(urgent, claimed or tracker.get_slot("audience")))
    audience_events = take_audience(dispatcher, tracker, kb, claimed) if claimed else []
    say_to_audience(dispatcher, tracker, kb.messages["continue_after_red_flag"])
    return audience_events


def runner_up_red_flag_tier(tracker: Tracker) -> Optional[str]:
    """The tier of a red-flag intent the classifier ranks second with some confidence
    (RED_FLAG_RUNNER_UP_AT)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    if len(ranking) < 2 or ranking[1].get("confidence", 0.0) < RED_FLAG_RUNNER_UP_AT:
        return None
    return red_flag_tier(ranking[1].get("name"))


def say_to_audience(dispatcher: CollectingDispatcher, tracker: Tracker, message: Message) -> None:
    """Utter ``message`` in the wording for the conversation's audience."""
    say_as(dispatcher, message, answers.worded_for(message, tracker.get_slot("audience")))


def answer_after_red_flag(tracker: Tracker, kb: KnowledgeBase, flag: RedFlag, text: str) -> Optional[Decision]:
    """A story's warning sign may be past or already in hand ("she received an emergency
    injection... could this be cement leakage?"): after the urgent message, the card on the sign
    (``answered_by``), or one that answers what the story asks. A short message, or a story asking
    only "What should I do?", is about the sign alone: the urgent message is the answer."""
    if not (flag.answered_after and tells_a_story(text)):
        return None
    if flag.answered_by:
        return Decision(card=kb.questions[flag.answered_by])
    return card_decision(tracker, kb) if question_spans(text) else None


def asks_something(text: str) -> bool:
    """A story, or a message with a question in it: more than a report of how they feel."""
    return tells_a_story(text) or asks_a_question(text)


def asked_intent(tracker: Tracker) -> Optional[str]:
    """The intent the classifier ranked first after the red flags: what the story asks once the
    warning signs are named ("how long will it take?" is a prognosis question)."""
    return next((name for name in ranked_intents(tracker) if name not in RED_FLAG_INTENTS.values()), None)


def offer_likely_topics(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase) -> None:
    """Not understood: show the message back (escaped) and offer the topics
    the classifier found likeliest, or say that nothing arrived."""
    topics = [topic for topic in map(kb.topic_for_intent, ranked_intents(tracker)) if topic]
    topics += [topic for topic in kb.topics if topic not in topics]
    buttons = topic_buttons(kb, topics[:3], answers.Context()) + [kb.buttons.help.dict()]
    text = tracker.latest_message.get("text") or ""
    if text.strip():
        message = kb.messages["ask_rephrase"].text.format(quoted=answers.quote_user_text(text))
    else:
        message = kb.messages["empty_message"].text
    dispatcher.utter_message(text=message, buttons=buttons)


class ActionRephraseFallback(Action):
    """Not understood by the classifier: a long story often still matches a question card."""

    def name(self) -> Text:
        return "action_rephrase_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        if not written_in_english(tracker.latest_message.get("text") or ""):
            say(dispatcher, kb.messages["english_only"])
            return []
        audience_events = take_claimed_profession(dispatcher, tracker, kb)
        events = reply_to_question(dispatcher, tracker, kb)
        if events is None:
            offer_likely_topics(dispatcher, tracker, kb)
        return [*audience_events, *(events or [])]
