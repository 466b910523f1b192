"""Bahasa Indonesia is the default and its catalogue is complete and compiled."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_messages", ROOT / "scripts" / "check_messages.py")
check_messages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_messages)


def test_every_indonesian_catalogue_is_complete_and_compiled():
    catalogues = check_messages.catalogues()
    assert len(catalogues) >= 4, catalogues  # the project's and one per app at least
    problems = [p for po in catalogues for p in check_messages.check_complete(po)]
    assert problems == []


def test_indonesian_is_the_default_language(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()


def test_english_is_available_and_translates_the_layout(client, db):
    with translation.override("en"):
        english = translation.gettext("Sign in")
    with translation.override("id"):
        indonesian = translation.gettext("Sign in")
    assert english == "Sign in"
    assert indonesian != "Sign in"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()
    assert ">Sign in<" in response.content.decode()


def test_pages_stay_indonesian_for_a_phone_set_to_english(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"


def test_api_clients_may_ask_for_english(client, db):
    response = client.get("/api/v1/does-not-exist/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Language"] == "en"
