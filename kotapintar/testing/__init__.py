"""Shared pytest fixtures (plugins listed in the root conftest.py) and factories."""
