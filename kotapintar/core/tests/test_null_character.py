"""A NUL character in the address is a clear 400 on every surface, never a server error
(PostgreSQL refuses NUL in text, so a filter carrying it would otherwise fail)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_api_answers_400_in_the_api_error_shape(client):
    response = client.get("/api/v1/categories/", {"q": "jalan\x00"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "NUL" in error["message"] and "hapus" in error["message"]  # Indonesian by default


def test_api_answers_in_english_when_asked(client):
    response = client.get("/api/v1/categories/?x=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "remove it" in response.json()["error"]["message"]


def test_open311_answers_400_in_the_specifications_error_shape(client):
    response = client.get("/open311/v2/requests.xml?service_code=%00")
    assert response.status_code == 400
    body = response.content.decode()
    assert "<errors><error><code>400</code>" in body
    response = client.get("/open311/v2/requests.json", {"status": "open\x00"})
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_a_page_answers_400_with_a_message(client):
    response = client.get("/lapor/publik/", {"category": "\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_an_address_without_nul_is_served(client):
    assert client.get("/api/v1/categories/", {"q": "jalan"}).status_code == 200
