"""`staff add` and `tokens create`, as an operator types them."""

from casetracker.extensions import db
from casetracker.people import service
from casetracker.people.models import Staff


def test_staff_add_creates_an_active_member(runner):
    result = runner.invoke(
        args=["staff", "add", "--name", "Ana Lima", "--email", "Ana@Example.com", "--role", "dpo",
              "--slack-user-id", "U0ANA"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    member = db.session.scalars(db.select(Staff)).one()
    assert (member.email, member.role, member.slack_user_id) == ("ana@example.com", "dpo", "U0ANA")


def test_staff_add_with_a_password_from_stdin(runner):
    result = runner.invoke(
        args=["staff", "add", "--name", "Ana", "--email", "ana@example.com", "--role", "staff",
              "--password-stdin"],
        input="a long enough passphrase\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert db.session.scalars(db.select(Staff)).one().password_hash.startswith("scrypt")


def test_staff_add_refuses_bad_input_naming_the_option(runner, staff):
    result = runner.invoke(
        args=["staff", "add", "--name", "Sam", "--email", staff.email, "--role", "staff"]
    )
    assert result.exit_code == 2
    assert "--email" in result.output
    assert "already" in result.output
    bad = runner.invoke(args=["staff", "add", "--name", "X", "--email", "nope", "--role", "staff"])
    assert bad.exit_code == 2
    assert "--email" in bad.output


def test_tokens_create_prints_the_token_alone_and_it_works(runner, staff, client):
    result = runner.invoke(args=["tokens", "create", "--staff", staff.email, "--scope", "pii"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert "\n" not in token
    assert service.authenticate(db.session, token).scopes == {"pii"}
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_tokens_are_stored_hashed(runner, staff):
    token = runner.invoke(args=["tokens", "create", "--staff", staff.email]).output.strip()
    stored = staff.tokens[0]
    assert token not in (stored.secret_hash, stored.prefix)


def test_tokens_create_for_an_unknown_member_fails(runner):
    result = runner.invoke(args=["tokens", "create", "--staff", "ghost@example.com"])
    assert result.exit_code == 2
    assert "ghost@example.com" in result.output
