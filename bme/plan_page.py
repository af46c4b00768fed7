"""The printable plan: one self-contained HTML page. Plain Python, no Rasa import.

It shows the date the plan was made, the answers it was made from, the plan
as the chat gives it (bme/plan_text.py), the red flags to watch for, the
sources with their links and the disclaimer; nothing else of the
conversation. Every word comes from ``knowledge/`` (``plan_page`` in
messages.yml); every value is HTML-escaped. The only style and script are
inline and allowed by their hashes in the Content-Security-Policy.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Dict, Iterator, List, Optional, Sequence

from bme.answers import PROFESSIONAL, Citations
from bme.knowledge import KnowledgeBase, RedFlag
from bme.plan import PLAN_SLOTS, PlanInputs, PlanStep
from bme.plan_text import cause_label, plan_lines

# A citation as bme.answers.Citations writes it: [[n]](url). On the page it
# points to the numbered source below, which has the link.
CITATION = re.compile(r"\[\[(\d+)\]\]\(https?://[^\s)]+\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<!\w)_(.+?)_(?!\w)")
BOLD_LINE = re.compile(r"^\*\*(.+)\*\*$")
BULLET = "- "
TIERS = ("emergency", "same_day")

STYLE = """
body { margin: 0; background: #fff; color: #1a1a1a; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 48rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 1px solid #767676; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.25rem; }
dl { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
a { color: #0645ad; }
a:focus-visible, button:focus-visible { outline: 3px solid #0645ad; outline-offset: 2px; }
button { font: inherit; padding: 0.5rem 1rem; border: 2px solid #0645ad; border-radius: 0.4rem;
  background: #0645ad; color: #fff; cursor: pointer; }
.red-flags { border: 2px solid #b00020; border-radius: 0.5rem; padding: 0 1rem 0.5rem; margin-top: 1.75rem; }
.red-flags h2 { border: 0; color: #b00020; }
.sources li { overflow-wrap: anywhere; }
.disclaimer { font-style: italic; }
@media (max-width: 30rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: 0.5rem; } }
@media print {
  .screen-only { display: none; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  h2, h3 { break-after: avoid; }
  li, dd, .red-flags { break-inside: avoid; }
}
@page { margin: 18mm; }
"""
PRINT_SCRIPT = 'document.getElementById("print").addEventListener("click", function () { window.print(); });'


def _source_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# Nothing loads from elsewhere, nothing is sent anywhere, and no other site may frame the page.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_source_hash(STYLE)}; script-src {_source_hash(PRINT_SCRIPT)}; "
    "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# The link is the only key to the page: no caching, no indexing, no Referer to the sources' sites.
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class PrintablePlan:
    inputs: PlanInputs
    steps: Sequence[PlanStep]
    skipped: Sequence[str]
    audience: Optional[str]
    made_on: date
    works_until: datetime


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _inline(markdown: str) -> str:
    """One line of the answers' Markdown as HTML: escaped, then citations, bold and italic."""
    linked = CITATION.sub(r'<a href="#source-\1">[\1]</a>', _text(markdown))
    return ITALIC.sub(r"<em>\1</em>", BOLD.sub(r"<strong>\1</strong>", linked))


def _markdown_html(lines: Sequence[str]) -> Iterator[str]:
    """The plan's lines: the first bold line is its heading, later ones the steps'
    headings, "- " lines list items, and anything else a paragraph."""
    in_list = False
    for number, line in enumerate(lines):
        bullet = line.startswith(BULLET)
        if in_list and not bullet:
            yield "</ul>"
        if bullet and not in_list:
            yield "<ul>"
        in_list = bullet
        heading = BOLD_LINE.match(line)
        if bullet:
            yield f"<li>{_inline(line[len(BULLET) :])}</li>"
        elif heading:
            level = 2 if number == 0 else 3
            yield f"<h{level}>{_inline(heading.group(1))}</h{level}>"
        else:
            yield f"<p>{_inline(line)}</p>"
    if in_list:
        yield "</ul>"


def _answer(kb: KnowledgeBase, slot: str, value: object) -> str:
    words = kb.plan_page
    if isinstance(value, bool):
        return words.yes if value else words.no
    if slot == "etiology":
        return cause_label(kb, value)
    if slot == "body_site":
        return kb.label("body_site", value)
    if slot == "pain_severity":
        return words.pain_score.format(score=f"{value:g}")
    if slot == "pain_duration_weeks":
        return words.weeks.format(weeks=f"{value:g}")
    if slot == "pregnancy":
        return kb.plan.summary.pregnancy.get(value, words.no)
    return str(value)


def answers_given(kb: KnowledgeBase, inputs: PlanInputs, skipped: Sequence[str]) -> Dict[str, str]:
    """Each question asked, by its short label, with the answer (or "not answered" when skipped)."""
    given = {}
    for slot in PLAN_SLOTS:
        value = getattr(inputs, slot)
        if value is not None:
            given[kb.plan_page.answer_labels[slot]] = _answer(kb, slot, value)
        elif slot in skipped:
            given[kb.plan_page.answer_labels[slot]] = kb.plan_page.not_answered
    return given


def _red_flag_items(kb: KnowledgeBase, flags: Sequence[RedFlag], audience: Optional[str], citations: Citations):
    for flag in flags:
        message = flag.message.professional if audience == PROFESSIONAL else flag.message.patient
        yield f"<li>{_inline(f'**{flag.title}.** {message} {citations.mark(flag.references)}')}</li>"


def _red_flags(kb: KnowledgeBase, audience: Optional[str], citations: Citations) -> List[str]:
    words = kb.plan_page
    lines = [
        '<section class="red-flags" aria-labelledby="red-flags">',
        f'<h2 id="red-flags">{_text(words.red_flags_heading)}</h2>',
    ]
    for tier in TIERS:
        flags = [flag for flag in kb.red_flags if flag.tier == tier]
        lines += [f"<h3>{_text(words.red_flag_tiers[tier])}</h3>", "<ul>"]
        lines += [*_red_flag_items(kb, flags, audience, citations), "</ul>"]
    return lines + ["</section>"]


def _sources(kb: KnowledgeBase, citations: Citations) -> List[str]:
    items = []
    for number, ref_id in enumerate(citations.order, start=1):
        reference = kb.references[ref_id]
        link = _text(reference.link)
        items.append(f'<li id="source-{number}">{_text(reference.citation)} <a href="{link}">{link}</a></li>')
    heading = _text(kb.plan_page.references_heading)
    return ['<section class="sources" aria-labelledby="sources">', f'<h2 id="sources">{heading}</h2>', "<ol>"] + [
        *items,
        "</ol>",
        "</section>",
    ]


def _document(kb: KnowledgeBase, body: Sequence[str], script: bool = False) -> str:
    head = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex, nofollow">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_text(kb.plan_page.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    end = ["</main>", *([f"<script>{PRINT_SCRIPT}</script>"] if script else []), "</body>", "</html>"]
    return "\n".join([*head, *body, *end])


def plan_page(kb: KnowledgeBase, plan: PrintablePlan) -> str:
    words = kb.plan_page
    citations = Citations(kb)
    steps = list(_markdown_html(plan_lines(kb, plan.steps, plan.inputs, plan.audience, citations)))
    red_flags = _red_flags(kb, plan.audience, citations)
    answers = [
        f"<dt>{_text(label)}</dt><dd>{_text(answer)}</dd>"
        for label, answer in answers_given(kb, plan.inputs, plan.skipped).items()
    ]
    body = [
        "<header>",
        f"<h1>{_text(words.title)}</h1>",
        f"<p>{_text(words.made_on.format(date=_long_date(plan.made_on)))}</p>",
        f'<p class="screen-only">{_text(words.works_until.format(date=_long_date(plan.works_until)))}</p>',
        f'<p class="screen-only"><button type="button" id="print">{_text(words.print_button)}</button></p>',
        "</header>",
        '<section aria-labelledby="answers">',
        f'<h2 id="answers">{_text(words.answers_heading)}</h2>',
        "<dl>",
        *answers,
        "</dl>",
        "</section>",
        '<section class="plan">',
        *steps,
        "</section>",
        *red_flags,
        *_sources(kb, citations),
        f'<p class="disclaimer">{_text(kb.disclaimers.for_audience(plan.audience))}</p>',
    ]
    return _document(kb, body, script=True)


def notice_page(kb: KnowledgeBase, notice: str) -> str:
    """What the link shows instead of a plan (expired, not valid, no plan, unavailable)."""
    return _document(kb, [f"<h1>{_text(kb.plan_page.title)}</h1>", f"<p>{_text(notice)}</p>"])
