"""/case subcommands through the signed HTTP route: answers a staff member would read."""

import pytest
from sqlalchemy.orm import Session

from casetracker.cases import service as case_service
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests import factories
from tests.slackbot.conftest import DANA, SAM


@pytest.fixture
def case(api, staff):
    return api.create(owner=staff.email)


def current(reference):
    db.session.expire_all()
    return case_service.get_case(db.session, reference=reference)


def test_help_lists_every_subcommand_with_an_example(slack, staff):
    text = slack.answer("help")
    for name in (
        "show",
        "list",
        "new",
        "ack",
        "assign",
        "note",
        "hold",
        "resume",
        "extend",
        "escalate",
        "resolve",
    ):
        assert f"`/case {name}" in text
        assert f"e.g. `/case {name}" in text
    assert slack.answer("") == text


def test_an_unknown_subcommand_answers_with_help(slack, staff):
    text = slack.answer("frobnicate PC-1")
    assert "There is no `/case frobnicate`" in text
    assert "/case show REF" in text


def test_show_gives_stage_deadlines_and_next_actions(slack, case):
    text = slack.answer(f"show {case['reference'].lower()}")
    assert case["reference"] in text
    assert "received (open)" in text
    assert "`acknowledge` due" in text
    assert "`respond` due" in text
    allowed = text.splitlines()[-1]
    assert allowed == "Allowed now: `acknowledge`, `assign`, `note`, `hold`, `resolve`"


def test_show_unknown_reference_says_so(slack, staff):
    assert "no case with reference 'PC-2026-09999'" in slack.answer("show PC-2026-09999")


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("show", "/case show REF"),
        ("show A B", "/case show REF"),
        ("list sideways", "/case list [mine|overdue|due-soon|stage STAGE]"),
        ("list stage nowhere", "/case list [mine|overdue|due-soon|stage STAGE]"),
        ("new please", "/case new"),
        ("ack", "/case ack REF"),
        ("assign PC-2026-00001", "/case assign REF @user"),
        ("assign PC-2026-00001 sam", "/case assign REF @user"),
        ("note PC-2026-00001", "/case note REF text"),
        ("hold PC-2026-00001", "/case hold REF reason"),
        ("resume", "/case resume REF"),
        ("extend PC-2026-00001", "/case extend REF reason"),
        ("escalate", "/case escalate REF [body-ref]"),
        ("escalate PC-2026-00001 A B", "/case escalate REF [body-ref]"),
        ("resolve", "/case resolve REF [outcome [text]]"),
    ],
)
def test_bad_arguments_answer_with_the_usage_line(slack, case, fake_slack, text, usage):
    before = factories.row_counts()
    answer = slack.answer(text)
    assert f"Usage: `{usage}`" in answer
    assert factories.row_counts() == before
    assert fake_slack.called("views.open") == []


def test_list_mine_overdue_due_soon_and_stage(slack, api, staff, dpo, clock):
    mine = api.create(owner=staff.email)
    theirs = api.create(owner=dpo.email)
    assert mine["reference"] in slack.answer("list")
    assert theirs["reference"] not in slack.answer("list mine")
    assert "No cases." in slack.answer("list overdue")
    assert "No cases." in slack.answer("list due-soon")
    clock.advance(days=3)
    due_soon = slack.answer("list due-soon")
    assert mine["reference"] in due_soon
    assert theirs["reference"] in due_soon
    clock.advance(days=30)
    assert mine["reference"] in slack.answer("list overdue")
    assert theirs["reference"] in slack.answer("list stage received")
    assert "No cases." in slack.answer("list stage internal_review")


def test_ack_acknowledges_the_case(slack, case):
    text = slack.answer(f"ack {case['reference']}")
    assert f"Acknowledged {case['reference']}" in text
    assert current(case["reference"]).stage == "internal_review"


def test_ack_twice_explains_what_is_allowed(slack, case):
    slack.answer(f"ack {case['reference']}")
    text = slack.answer(f"ack {case['reference']}")
    assert "cannot acknowledge" in text
    assert "Allowed now:" in text
    assert current(case["reference"]).version == 2


def test_assign_gives_the_case_to_the_mentioned_colleague(slack, case, dpo, fake_slack):
    text = slack.answer(f"assign {case['reference']} <@{DANA}|dana>")
    assert f"Assigned {case['reference']}" in text
    assert current(case["reference"]).owner.email == dpo.email
    dms = [m for m in fake_slack.called("chat.postMessage") if m["channel"] == DANA]
    assert len(dms) == 1
    assert "now assigned to Dana DPO" in dms[0]["text"]


def test_assign_to_someone_not_on_the_team_is_refused(slack, case):
    text = slack.answer(f"assign {case['reference']} <@U0NOBODY>")
    assert "not linked to an active member" in text
    assert current(case["reference"]).owner.slack_user_id == SAM


def test_note_hold_resume_extend(slack, case):
    ref = case["reference"]
    assert f"Note added to {ref}" in slack.answer(f"note {ref} rang the individual back")
    assert f"Put on hold {ref}" in slack.answer(f"hold {ref} waiting for their ID")
    assert current(ref).status == "on_hold"
    assert f"Resumed {ref}" in slack.answer(f"resume {ref}")
    assert current(ref).status == "open"
    events = case_service.events_of(db.session, reference=ref)
    assert [e.action for e in events][1:4] == ["note", "hold", "resume"]
    assert {e.source for e in events[1:]} == {"slack"}
    assert events[1].actor == f"sam@example.com (Slack {SAM})"


def test_extend_a_request_extends_its_respond_clock(slack, api, staff):
    request = api.create(kind="request", right="access", owner=staff.email)
    ref = request["reference"]
    slack.answer(f"ack {ref}")
    text = slack.answer(f"extend {ref} many systems to search")
    assert f"Extended {ref}" in text
    respond = next(c for c in current(ref).clocks if c.name == "respond")
    assert respond.extension_reason == "many systems to search"


def test_escalate_with_the_body_reference(slack, case):
    ref = case["reference"]
    slack.answer(f"ack {ref}")
    text = slack.answer(f"escalate {ref} BBB-2026-77")
    assert f"Escalated {ref}" in text
    escalated = current(ref)
    assert (escalated.stage, escalated.body_reference) == ("independent_recourse", "BBB-2026-77")


def test_resolve_with_an_outcome_closes_the_case(slack, case):
    text = slack.answer(f"resolve {case['reference']} resolved sent the copy")
    assert f"Resolved {case['reference']}" in text
    assert (current(case["reference"]).status, current(case["reference"]).outcome) == (
        "closed",
        "resolved",
    )


def test_resolve_with_a_wrong_outcome_names_the_allowed_ones(slack, case):
    text = slack.answer(f"resolve {case['reference']} complied")
    assert "a complaint closes as one of: resolved, not_upheld, withdrawn" in text
    assert current(case["reference"]).status == "open"


def test_a_stale_write_tells_the_user_someone_else_changed_it(slack, case, monkeypatch):
    read = case_service.get_case
    reads = []

    def read_while_a_colleague_acts(db_session, *, reference):
        found = read(db_session, reference=reference)
        if not reads:
            reads.append(reference)
            with Session(db.engine) as colleague:
                case_service.perform(
                    colleague,
                    reference=reference,
                    action="note",
                    version=found.version,
                    params={"text": "called back"},
                    actor=Actor.system(),
                    source="api",
                )
        return found

    monkeypatch.setattr(case_service, "get_case", read_while_a_colleague_acts)
    text = slack.answer(f"hold {case['reference']} waiting")
    assert "someone else changed" in text
    assert current(case["reference"]).status == "open"


def test_unknown_slack_user_gets_a_polite_refusal_and_nothing_changes(slack, case, fake_slack):
    before = factories.row_counts()
    sent = len(fake_slack.calls)
    text = slack.answer(f"ack {case['reference']}", user="U0STRANGER")
    assert "not linked to anyone on the privacy team" in text
    assert factories.row_counts() == before
    assert len(fake_slack.calls) == sent


def test_inactive_staff_is_refused(slack, case, staff):
    staff.active = False
    db.session.commit()
    assert "not linked" in slack.answer(f"ack {case['reference']}")
    assert current(case["reference"]).stage == "received"
