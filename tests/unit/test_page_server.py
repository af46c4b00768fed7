"""The chat page's words come from the knowledge base, escaped for HTML."""

from web.serve import page_html


def test_the_page_shows_the_knowledge_base_wording(kb):
    page = page_html(kb, "http://127.0.0.1:5005")
    assert f"<title>{kb.chat_page.title}</title>" in page and f"<h1>{kb.chat_page.title}</h1>" in page
    assert f"<strong>{kb.chat_page.notice_label}</strong> {kb.disclaimers.clinical}" in page
    assert f'data-input-hint="{kb.chat_page.input_hint}"' in page


def test_the_page_escapes_what_it_fills_in(kb):
    page = page_html(kb, 'http://x"><script>alert(1)</script>')
    assert "<script>alert" not in page and "&quot;&gt;&lt;script&gt;" in page
