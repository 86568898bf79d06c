"""Builders for intake tests: the public form's answers, posted like a browser posts them."""

from __future__ import annotations

import re


def csrf_token(client, path="/complaints/new", **kwargs) -> str:
    page = client.get(path, **kwargs).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def form_data(**overrides) -> dict:
    data = {
        "kind": "complaint",
        "country": "DE",
        "data_context": "marketing",
        "description": "I keep getting your newsletter after unsubscribing.",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, **overrides):
    """Post the public form like a browser: fetch the token, then send the answers."""
    data = form_data(**overrides)
    data["csrf_token"] = csrf_token(client)
    return client.post("/complaints/new", data=data)
