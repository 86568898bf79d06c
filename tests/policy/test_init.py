import pytest
from flask import Flask

from casetracker import policy
from casetracker.cases.actions import NAMES
from casetracker.policy import PolicyError


def test_init_app_loads_the_default_policy():
    app = Flask(__name__)
    app.config["CASETRACKER_POLICY"] = None
    policy.init_app(app, actions=NAMES)
    with app.app_context():
        assert policy.current().route("dsr").kind == "request"


def test_init_app_refuses_a_broken_policy_file(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[reminders]\nbefore_due = 7\n", encoding="utf-8")
    app = Flask(__name__)
    app.config["CASETRACKER_POLICY"] = str(path)
    with pytest.raises(PolicyError, match="routes: required"):
        policy.init_app(app, actions=NAMES)
