"""Helpers the tests share. Tests import them from here, never from a ``conftest`` module."""
