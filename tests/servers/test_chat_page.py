"""The chat page server (web/serve.py): the page, its files, and nothing else."""

import requests

from bme.knowledge import knowledge_base

DISCLAIMER = knowledge_base().disclaimers.clinical


def test_the_page_has_the_notice_and_may_only_talk_to_the_rasa_server(chat_page, assistant):
    page = requests.get(chat_page, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert DISCLAIMER in page.text and f'data-rasa-url="{assistant.rasa_url}"' in page.text
    policy = dict(rule.strip().split(" ", 1) for rule in page.headers["Content-Security-Policy"].split(";"))
    rasa_host = assistant.rasa_url.split("://")[1]
    assert policy["connect-src"].split() == ["'self'", f"http://{rasa_host}", f"ws://{rasa_host}"]
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'none'"


def test_the_widget_and_its_set_up_are_served_and_nothing_else(chat_page):
    for path in ("webchat.js", "chat.js"):
        reply = requests.get(chat_page + path, timeout=10)
        assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/javascript")
    assert "WebChat" in requests.get(chat_page + "webchat.js", timeout=10).text
    for path in (
        "index.html",
        "serve.py",
        "../credentials.yml",
        "node_modules/rasa-webchat/package.json",
        "axe.min.js",
    ):
        assert requests.get(chat_page + path, timeout=10).status_code == 404
