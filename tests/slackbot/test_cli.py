"""`flask slack socket-mode` refuses to start without the tokens it needs."""

import logging
from pathlib import Path

import pytest

import slackbot
from casetracker import create_app
from tests.conftest import _settings
from tests.slackbot.conftest import slack_settings


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["slack", "socket-mode"], "app-level token (xapp-"),
        (["slack", "socket-mode", "--app-token", "xoxb-wrong"], "app-level token (xapp-"),
    ],
)
def test_socket_mode_needs_an_app_token(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert message in result.output


def test_the_manifest_asks_for_what_the_bot_uses():
    text = (Path(slackbot.__file__).parent / "manifest.yml").read_text()
    for needed in ("command: /case", "usage_hint:", "- app_home_opened", "is_enabled: true"):
        assert needed in text
    for scope in ("commands", "chat:write", "im:write", "users:read"):
        assert f"      - {scope}\n" in text
    assert text.count("https://YOUR-HOST/slack/events") == 3


def test_commands_say_nothing_about_an_unused_token(database_url, clock, fake_slack, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    app = create_app(_settings(database_url, clock, **slack_settings(fake_slack)))
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("slackbot.bolt").addHandler(handler)
    try:
        slackbot.init_app(app)
    finally:
        logging.getLogger("slackbot.bolt").removeHandler(handler)
    assert slackbot.EXTENSION_KEY in app.extensions
    assert [r.getMessage() for r in records if "will be unused" in r.getMessage()] == []
