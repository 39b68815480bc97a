from __future__ import annotations

from django.test import RequestFactory

from familysupport.lib.audit import client_ip


def test_without_a_proxy_the_socket_address_counts_and_headers_are_ignored(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.9")
    assert client_ip(request) == "10.0.0.9"


def test_behind_one_proxy_the_last_hop_is_the_client(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.7"  # 6.6.6.6 was forged by the client


def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.3", REMOTE_ADDR="10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.7"


def test_allauth_trusts_the_same_number_of_proxies():
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.AXES_IPWARE_PROXY_COUNT
