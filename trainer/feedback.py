"""The feedback report: how helpful users found the answers, per topic and
per intent, as a table and a bar chart. The votes come from the tracker store
(bme/feedback.py reads them from its events)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bme.feedback import Tally, Vote, helpfulness, total, votes_from_events
from trainer.inbox import read_events, store_url

GROUPINGS = {"topic": "Topic", "intent": "Intent"}
NO_REASON = "no reason given"


def percent(tally: Tally) -> str:
    return f"{tally.share_helpful:.0%}"


def table(title: str, tallies: Dict[str, Tally]) -> List[str]:
    width = max([len(title), *map(len, tallies)])
    lines = [f"{title:<{width}}  votes   👍   👎  helpful"]
    lines += [
        f"{name:<{width}}  {t.votes:>5} {t.helpful:>4} {t.unhelpful:>4}  {percent(t):>7}" for name, t in tallies.items()
    ]
    return lines


def report_text(votes: Sequence[Vote], period: str) -> str:
    """Totals, then a table per topic and per intent (least helpful first), then the reasons for 👎."""
    overall = total(votes)
    if not overall.votes:
        return f"No feedback on answers {period}."
    lines = [f"Feedback on answers {period}: {overall.votes} votes, {percent(overall)} helpful."]
    for field, title in GROUPINGS.items():
        lines += ["", *table(title, helpfulness(votes, field))]
    reasons = Counter(vote.reason or NO_REASON for vote in votes if not vote.helpful)
    if reasons:
        lines += ["", "Reasons for 👎: " + ", ".join(f"{reason} {count}" for reason, count in reasons.most_common())]
    return "\n".join(lines)


def write_chart(votes: Sequence[Vote], path: Path, period: str) -> Path:
    """Horizontal bars of % helpful per topic and per intent, each labelled with its votes."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    groups = {title: helpfulness(votes, field) for field, title in GROUPINGS.items()}
    rows = max(len(tallies) for tallies in groups.values())
    figure, axes = plt.subplots(1, len(groups), figsize=(12, 1.5 + 0.45 * rows), squeeze=False)
    for axis, (title, tallies) in zip(axes[0], groups.items(), strict=True):
        names = list(tallies)[::-1]  # least helpful at the top
        shares = [100 * tallies[name].share_helpful for name in names]
        bars = axis.barh(names, shares, color="tab:green")
        axis.bar_label(bars, labels=[f"{tallies[name].helpful}/{tallies[name].votes}" for name in names], padding=3)
        axis.set_xlim(0, 115)
        axis.set_xlabel("% rated helpful (helpful/votes)")
        axis.set_title(f"By {title.lower()}")
    figure.suptitle(f"Feedback on answers {period}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def period_text(since: Optional[float], until: Optional[float]) -> str:
    """The period in words, times in local time as the command line takes them."""
    shown = {
        name: datetime.fromtimestamp(moment).isoformat(sep=" ", timespec="minutes")
        for name, moment in (("since", since), ("until", until))
        if moment is not None
    }
    if len(shown) == 2:
        return f"from {shown['since']} until before {shown['until']}"
    if "since" in shown:
        return f"from {shown['since']} on"
    return f"until before {shown['until']}" if shown else "so far"


def feedback_report(
    store: str, chart: Path, since: Optional[float] = None, until: Optional[float] = None
) -> Tuple[str, Optional[Path]]:
    """The report's text, and the chart's path when there are votes to draw."""
    votes = votes_from_events(read_events(store_url(store), since, until))
    period = period_text(since, until)
    return report_text(votes, period), write_chart(votes, chart, period) if votes else None
