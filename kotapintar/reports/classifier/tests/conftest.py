"""Fixtures for the classifier tests: one engine trained on the shipped corpus per test
process (training takes seconds; every test that needs the real model shares it)."""

import pytest

from kotapintar.reports.classifier import Engine, load_corpus, train_from_corpus


@pytest.fixture(scope="session")
def engine() -> Engine:
    return train_from_corpus()


@pytest.fixture(scope="session")
def small_examples() -> list[tuple[str, str]]:
    """Eight shipped examples per category: enough for fast tests of the engine's mechanics."""
    seen: dict[str, int] = {}
    picked = []
    for text, code in load_corpus():
        if seen.get(code, 0) < 8:
            seen[code] = seen.get(code, 0) + 1
            picked.append((text, code))
    return picked


@pytest.fixture(scope="session")
def small_engine(small_examples) -> Engine:
    return Engine().train(small_examples)
