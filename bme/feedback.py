"""Feedback on answers as the conversation keeps it, and helpfulness tallies.

The answer action marks each clinical answer's bot event with ``answered``
metadata (the question, its intent and topic); a 👍 / 👎 sets the slot
``feedback`` to that metadata plus the vote, the reason and the answer's
timestamp. The trainers' tools read those events back from the tracker
store. Plain Python: no Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

ANSWERED = "answered"
FEEDBACK_SLOT = "feedback"
HELPFUL = {"yes": True, "no": False}
UNKNOWN = "(unknown)"


def vote_record(answered: Mapping[str, Any], helpful: bool, reason: Optional[str], answered_at: Any) -> Dict:
    """The ``feedback`` slot's value: what was answered, and how it was rated."""
    return {**answered, "helpful": helpful, "reason": reason, "answered_at": answered_at}


@dataclass(frozen=True)
class Vote:
    conversation: str
    answered_at: float  # the rated answer's event timestamp: one vote per answer
    helpful: bool
    reason: Optional[str]
    question: str
    intent: str
    topic: str


def votes_from_events(events: Iterable[Tuple[str, Mapping[str, Any]]]) -> List[Vote]:
    """One vote per rated answer from (sender, event) pairs in time order; a
    later vote on the same answer (👎, then its reason) replaces the earlier.
    Slots a new session carries over are no new votes."""
    votes: Dict[Tuple[str, float], Vote] = {}
    starting: Set[str] = set()  # senders between session_started and the next action
    for sender, event in events:
        kind = event.get("event")
        if kind == "session_started":
            starting.add(sender)
        elif kind == "action":
            starting.discard(sender)
        if kind != "slot" or event.get("name") != FEEDBACK_SLOT or sender in starting:
            continue
        value = event.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("helpful"), bool):
            continue  # reset, or not written by the feedback action
        vote = Vote(
            conversation=sender,
            answered_at=float(value.get("answered_at") or 0),
            helpful=value["helpful"],
            reason=value.get("reason"),
            question=str(value.get("question") or ""),
            intent=str(value.get("intent") or UNKNOWN),
            topic=str(value.get("topic") or UNKNOWN),
        )
        votes[(vote.conversation, vote.answered_at)] = vote
    return list(votes.values())


@dataclass
class Tally:
    helpful: int = 0
    unhelpful: int = 0

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def share_helpful(self) -> float:
        return self.helpful / self.votes if self.votes else 0.0

    def add(self, vote: Vote) -> None:
        if vote.helpful:
            self.helpful += 1
        else:
            self.unhelpful += 1


def helpfulness(votes: Iterable[Vote], by: str) -> Dict[str, Tally]:
    """Tallies per value of the vote's field ``by`` ("topic" or "intent"),
    least helpful first, then most votes first."""
    tallies: Dict[str, Tally] = {}
    for vote in votes:
        tallies.setdefault(getattr(vote, by), Tally()).add(vote)
    return dict(sorted(tallies.items(), key=lambda item: (item[1].share_helpful, -item[1].votes, item[0])))


def total(votes: Iterable[Vote]) -> Tally:
    tally = Tally()
    for vote in votes:
        tally.add(vote)
    return tally
