"""The printable plan at ``/webhooks/plan/<token>``: the link under a plan in the chat.

A channel only in that Rasa serves it on the assistant's address; it takes no
messages. It opens the link (bme/plan_link.py), reads the conversation from
the agent's tracker store once its turn in progress is done and renders the plan kept in its slots
(bme/plan_page.py). An expired link gets 410, one that is not valid 403, a
conversation without a plan 404 and a failing tracker store 503, each as a
short page, never a stack trace. Every answer sets the headers of
``bme.plan_page.HEADERS`` (no caching, no indexing, a strict
Content-Security-Policy) and no cookies.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bme.kept_plan import STEPS_SLOT, inputs_from_slots, steps_from_slot
from bme.knowledge import knowledge_base
from bme.plan_link import ExpiredLink, InvalidLink, OpenedLink, PlanLinks, plan_links
from bme.plan_page import HEADERS, PrintablePlan, notice_page, plan_page
from server.turns import open_turn

logger = logging.getLogger(__name__)


def _page(html: str, status: HTTPStatus = HTTPStatus.OK) -> HTTPResponse:
    return response.html(html, status=status, headers=HEADERS)


def _notice(wording: str, status: HTTPStatus) -> HTTPResponse:
    kb = knowledge_base()
    return _page(notice_page(kb, getattr(kb.plan_page, wording)), status)


def _made_at(tracker: DialogueStateTracker) -> Optional[datetime]:
    """When the plan now kept was shown."""
    made = next(
        (event for event in reversed(tracker.events) if isinstance(event, SlotSet) and event.key == STEPS_SLOT),
        None,
    )
    return datetime.fromtimestamp(made.timestamp, timezone.utc) if made and made.value else None


def printable_plan(tracker: DialogueStateTracker, link: OpenedLink) -> Optional[PrintablePlan]:
    made_at, steps = _made_at(tracker), steps_from_slot(tracker.get_slot(STEPS_SLOT))
    if not (made_at and steps):
        return None
    return PrintablePlan(
        inputs=inputs_from_slots(knowledge_base(), tracker.get_slot),
        steps=steps,
        skipped=tracker.get_slot("skipped_slots") or [],
        audience=tracker.get_slot("audience"),
        made_on=made_at.date(),
        works_until=link.expires,
    )


class PlanPageInput(InputChannel):
    """Registered in credentials.yml; needs no settings (they come from the environment)."""

    def __init__(self, links: PlanLinks) -> None:
        self.links = links

    @classmethod
    def name(cls) -> Text:
        return "plan"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> InputChannel:
        return cls(plan_links())  # wrong settings stop the start-up, not the first page

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("plan_page", __name__)

        @page.route("/<token>", methods=["GET"])
        async def show(request: Request, token: str) -> HTTPResponse:
            try:
                link = self.links.open(token)
            except ExpiredLink:
                return _notice("expired", HTTPStatus.GONE)
            except InvalidLink:
                return _notice("invalid", HTTPStatus.FORBIDDEN)
            agent = request.app.ctx.agent
            with open_turn() as turn:  # the tracker store reports its failures into the turn
                try:
                    # After the turn in progress: the plan's message can reach the user, and the link
                    # be opened, before that turn's events are saved.
                    async with agent.lock_store.lock(link.conversation_id):
                        tracker = await agent.tracker_store.retrieve(link.conversation_id)
                except Exception as error:  # the page must never show a stack trace
                    turn.fail("tracker store", error.__class__.__name__)
            if turn.failed:
                logger.error("The plan page could not read its conversation: %s", turn.reason)
                return _notice("unavailable", HTTPStatus.SERVICE_UNAVAILABLE)
            plan = printable_plan(tracker, link) if tracker else None
            if plan is None:
                return _notice("no_plan", HTTPStatus.NOT_FOUND)
            return _page(plan_page(knowledge_base(), plan))

        return page
