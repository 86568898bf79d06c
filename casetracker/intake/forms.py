"""The public complaint/request form: fields, plain-language help, per-field messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from casetracker.intake import languages
from casetracker.policy import RIGHTS

KINDS = (
    SelectChoice("complaint", _l("Make a complaint about how we handle personal data")),
    SelectChoice("request", _l("Ask us to do something with your personal data")),
)
RIGHT_LABELS = {
    "access": _l("Get a copy of my data (access, right to know)"),
    "rectification": _l("Correct my data"),
    "erasure": _l("Delete my data"),
    "restriction": _l("Limit how my data is used (restriction)"),
    "portability": _l("Receive my data to take it elsewhere (portability)"),
    "objection": _l("Object to how my data is used"),
    "withdraw_consent": _l("Withdraw my consent"),
    "opt_out": _l("Stop the sale or sharing of my data (California)"),
    "limit_sensitive": _l("Limit the use of my sensitive data (California)"),
}
CONTEXTS = (
    SelectChoice("website", _l("Our website")),
    SelectChoice("marketing", _l("Marketing emails, newsletters or events")),
    SelectChoice("recruiting", _l("A job application")),
    SelectChoice("employment", _l("Working for us (current or former staff)")),
    SelectChoice("platform", _l("Data one of our clients holds about you on our platform")),
)
# %(link)s and %(end_link)s wrap the words that link to the privacy policy (when it has an
# address); the translations keep them around the same words.
PLATFORM_NOTE = _l(
    "About data on our platform: our clients decide how it is used; we only process it for "
    "them. As our %(link)sprivacy policy%(end_link)s explains, requests about that data are "
    "handled by the client. If you choose it, we will tell you which client to contact."
)
REQUIRED = _l("Please fill in this field.")
CHOOSE = _l("Please choose one.")
TOO_LONG = _l("Please keep this under %(max)d characters.")
VALID_EMAIL = _l("Enter a valid email address, like name@example.com.")
# Schema fields (marshmallow, the one validation) and the form fields they come from.
SCHEMA_FIELDS = {
    "kind": "kind",
    "right": "right",
    "jurisdiction": "country",
    "data_context": "data_context",
    "summary": "description",
    "name": "name",
    "email": "email",
    "country": "country",
    "agent_name": "agent_name",
    "agent_email": "agent_email",
}
FIELD_MESSAGES = {
    "email": VALID_EMAIL,
    "agent_email": VALID_EMAIL,
    "country": _l("Choose your country from the list."),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label, description, max_length, *, required=True, area=False):
    field = TextAreaField if area else StringField
    first = DataRequired(REQUIRED) if required else Optional()
    return field(
        label,
        description=description,
        filters=[_strip],
        validators=[first, Length(max=max_length, message=TOO_LONG)],
        render_kw={"maxlength": max_length},
    )


class IntakeForm(FlaskForm):
    kind = RadioField(
        _l("What would you like to do?"),
        choices=KINDS,
        validators=[DataRequired(CHOOSE)],
        description=_l(
            "A complaint tells us something went wrong. A request asks us to use one of your "
            "rights, such as getting a copy of your data or deleting it."
        ),
    )
    right = SelectField(
        _l("Which right do you want to use?"),
        choices=[SelectChoice("", _l("Choose a right"))]
        + [SelectChoice(key, RIGHT_LABELS[key]) for key in RIGHTS],
        validate_choice=False,
        description=_l("Only for requests. Using your rights is free of charge."),
    )
    country = SelectField(
        _l("Where do you live?"),
        validate_choice=False,
        description=_l("Your country decides which law protects you and how fast we must answer."),
    )
    california = BooleanField(
        _l("I live in California"),
        description=_l("Only if you live in the United States."),
    )
    data_context = RadioField(
        _l("What is it about?"),
        choices=CONTEXTS,
        validators=[DataRequired(CHOOSE)],
        description=_l("Choose what your message is mainly about."),
    )
    description = _text(
        _l("Tell us what happened or what you need"),
        _l("In your own words. Please do not send passwords or bank details."),
        5000,
        area=True,
    )
    name = _text(_l("Your name"), _l("So we know who you are."), 200)
    email = EmailField(
        _l("Your email address"),
        description=_l("We will only use it to write to you about this case."),
        filters=[_strip],
        validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)],
        render_kw={"maxlength": 254, "autocomplete": "email"},
    )
    agent_name = _text(
        _l("Name of your authorized agent (optional)"),
        _l("Only if someone else makes this request for you."),
        200,
        required=False,
    )
    agent_email = EmailField(
        _l("Email address of your agent (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=254, message=TOO_LONG)],
        render_kw={"maxlength": 254},
    )
    # The agent's written permission may follow later; until it is on record, the
    # individual's own confirmation by link does not verify the request (CCPA regs §7063(a)).
    agent_authorization = _text(
        _l("How is the agent authorized? (optional)"),
        _l(
            "For example: a signed permission or power of attorney, and its date. We may ask "
            "for a copy by email later; please do not paste documents here."
        ),
        2000,
        required=False,
        area=True,
    )
    consent = BooleanField(
        _l("I agree that the privacy team contacts me by email about this case."),
        validators=[DataRequired(_l("We need your agreement to answer you."))],
    )
    # A trap for robots: hidden from people, so anything typed here did not come from one.
    website = StringField(_l("Leave this field empty"))

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", _l("Choose your country"))] + [
            SelectChoice(code, name) for code, name in languages.country_choices(language)
        ]

    def validate_right(self, field):
        if self.kind.data == "complaint":
            return  # a complaint names no right: whatever the hidden list still holds is ignored
        if self.kind.data == "request" and not field.data:
            raise ValidationError(_l("Please choose the right you want to use."))
        if field.data and field.data not in RIGHTS:
            raise ValidationError(CHOOSE)

    def validate_country(self, field):
        if field.data not in languages.COUNTRIES:
            raise ValidationError(FIELD_MESSAGES["country"])

    def answers(self) -> dict:
        """Return what the individual entered, as plain values."""
        fields = [
            "kind",
            "right",
            "country",
            "california",
            "data_context",
            "description",
            "name",
            "email",
            "agent_name",
            "agent_email",
            "agent_authorization",
        ]
        answers = {name: getattr(self, name).data for name in fields}
        if answers["kind"] == "complaint":
            answers["right"] = None
        return answers

    def add_schema_errors(self, messages: dict) -> None:
        """Show the case schema's verdict next to the form field it concerns."""
        flat = {**messages, **(messages.get("subject") or {})}
        for key in flat:
            name = SCHEMA_FIELDS.get(key)
            field = getattr(self, name) if name else None
            if field is None or field.errors:
                continue
            field.errors = [FIELD_MESSAGES.get(name, _l("Please check this field."))]


class ConfirmForm(FlaskForm):
    """The identity link's one button: a POST, so that opening the link changes nothing."""
