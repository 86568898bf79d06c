"""The languages the public pages speak, and countries named in each of them."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale
from flask import has_request_context, request, session

LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "pt-BR": "Português (Brasil)"}
SESSION_KEY = "intake_language"
INTAKE_BLUEPRINTS = ("intake", "responses_public")
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)
COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)


def babel_locale(language: str) -> str:
    """Turn a language code of the pages (pt-BR) into Babel's (pt_BR)."""
    return language.replace("-", "_")


def current() -> str:
    """Return the language of this request: chosen in the menu, else the browser's, else English."""
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def select_locale() -> str:
    """Pick Flask-Babel's locale: the individual's language on public pages, else English."""
    if has_request_context() and request.blueprint in INTAKE_BLUEPRINTS:
        return babel_locale(current())
    return "en"


def jurisdiction_for(country: str, *, california: bool) -> str:
    """Derive the jurisdiction whose rules apply from where the individual lives."""
    if country in EEA:
        return "EU"
    if country == "US" and california:
        return "US-CA"
    return {"GB": "UK", "CH": "CH", "BR": "BR"}.get(country, "OTHER")


@lru_cache(maxsize=8)
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    """List (code, name) pairs of every country, named and sorted for the language."""
    names = Locale.parse(babel_locale(language)).territories
    pairs = [
        (code, names.get(code) or pycountry.countries.get(alpha_2=code).name) for code in COUNTRIES
    ]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))


def _sort_key(name: str) -> str:
    # "Österreich" belongs among the O's, not after "Zypern".
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
