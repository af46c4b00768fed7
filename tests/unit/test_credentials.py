"""The credentials scripts/serve.sh starts Rasa with: optional channels only when configured."""

import pytest
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.io import read_yaml_file

from channels.credentials import assemble, main

SLACK = "channels.slack.SlackInput"
TEAMS = "channels.teams.TeamsInput"
WEB_CHAT = "channels.web.WebChatInput"


def test_without_settings_only_the_always_on_channels_start():
    credentials = assemble({})
    assert SLACK not in credentials and TEAMS not in credentials
    assert credentials[WEB_CHAT]["session_persistence"] is True
    assert credentials[WEB_CHAT]["metadata_key"] == "customData"


@pytest.mark.parametrize(
    "env, optional_channels",
    [
        ({"BME_SLACK_TOKEN": "xoxb-1"}, [SLACK]),
        ({"BME_TEAMS_APP_ID": "app"}, [TEAMS]),
        ({"BME_SLACK_TOKEN": "xoxb-1", "BME_TEAMS_APP_ID": "app"}, [SLACK, TEAMS]),
        ({"BME_SLACK_TOKEN": ""}, []),
    ],
)
def test_a_channel_starts_when_its_variable_is_set(env, optional_channels):
    channels = list(assemble(env))
    assert channels == list(assemble({})) + optional_channels


def test_rasa_reads_the_secrets_from_the_environment(tmp_path, monkeypatch, capsys):
    settings = {
        "BME_SLACK_TOKEN": "xoxb-1",
        "BME_SLACK_SIGNING_SECRET": "signing",
        "BME_TEAMS_APP_ID": "app",
        "BME_TEAMS_APP_PASSWORD": "password",
        "BME_TEAMS_APP_TYPE": "SingleTenant",
        "BME_TEAMS_TENANT_ID": "tenant",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert main([str(tmp_path / "credentials.yml")]) == 0
    assert "credentials.slack.yml" in capsys.readouterr().out
    assert "xoxb-1" not in (tmp_path / "credentials.yml").read_text()  # secrets stay in the environment
    credentials = read_yaml_file(tmp_path / "credentials.yml")
    assert credentials[SLACK] == {"slack_token": "xoxb-1", "slack_signing_secret": "signing"}
    assert credentials[TEAMS] == {
        "app_type": "SingleTenant",
        "app_id": "app",
        "app_password": "password",
        "tenant_id": "tenant",
    }

    monkeypatch.delenv("BME_SLACK_SIGNING_SECRET")
    with pytest.raises(RasaException, match="BME_SLACK_SIGNING_SECRET"):
        read_yaml_file(tmp_path / "credentials.yml")
