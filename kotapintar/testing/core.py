"""Kernel fixtures."""
