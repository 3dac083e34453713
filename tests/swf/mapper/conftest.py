"""Fixtures of the object layer's tests (paging is the dev server's: the `small_pages` fixture asks for pages of 3)."""

from tests.swf.test_client import fresh_clients  # noqa: F401 - a fixture used by name
