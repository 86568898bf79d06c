"""`flask slack socket-mode` refuses to start without the tokens it needs."""

from pathlib import Path

import pytest

import slackbot


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
