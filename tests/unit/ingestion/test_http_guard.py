"""No one let in through the HTTP client (issue 11): only configured http(s) hosts; a redirect to another host,
to a loopback or private address, or to file: is refused; an address is allowed only when listed as itself."""

from __future__ import annotations

import socket

import pytest
from http_server import Redirect, Static, serve

from ingestion.fetch_api import FetchError
from ingestion.http import ClientPolicy, PoliteClient, check_url, host_matches


def _policy(*hosts: str) -> ClientPolicy:
    return ClientPolicy(allowed_hosts=set(hosts), max_retries=0, connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://127.0.0.2/x", "http://[::1]/x",
                                    "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/",
                                    "http://localhost/x", "gopher://127.0.0.1/x"])
def test_a_redirect_from_the_allowed_test_server_to_anywhere_else_is_refused(target):
    with serve({"/away": Redirect(target, 302), "/x": Static(b"inside")}) as srv:
        with pytest.raises(FetchError) as ei:
            PoliteClient(_policy("127.0.0.1")).get(srv.url("/away"))
    assert ei.value.stage == "policy"
    assert [q.route for q in srv.log] == ["/away"]


def test_an_address_is_allowed_only_as_itself():
    assert host_matches("127.0.0.1", "127.0.0.1")
    assert not host_matches("10.0.0.1", "0.0.1") and not host_matches("127.0.0.1", "0.1")
    assert host_matches("news.example.com", "example.com") and not host_matches("badexample.com", "example.com")


def test_an_allowed_name_that_resolves_inside_is_refused(monkeypatch):
    """A public name of an allowed site pointed at a private address (or a redirect to such a name)."""
    real = socket.getaddrinfo

    def resolver(host, *a, **k):
        if host == "intranet.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 0))]
        if host == "www.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0))]
        return real(host, *a, **k)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    pol = _policy("example.com")
    with pytest.raises(FetchError) as ei:
        check_url("http://intranet.example.com/admin", pol)
    assert ei.value.stage == "policy" and "non-public address (10.1.2.3)" in ei.value.reason
    assert check_url("https://www.example.com/news", pol) == "www.example.com"


def test_a_listed_loopback_host_is_the_explicit_allow():
    with serve({"/x": Static(b"inside")}) as srv:
        assert PoliteClient(_policy("127.0.0.1")).get(srv.url("/x")).content == b"inside"
