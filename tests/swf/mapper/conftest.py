"""Fixtures of the object layer's tests: the paging proxy of the client's tests (SWF's pages over moto)."""

from tests.swf.test_client import fresh_clients, paging_proxy  # noqa: F401 - fixtures used by name
