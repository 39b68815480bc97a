"""The portal's URLs plus `/bench/pop-stream/`: the screen pop as server-sent events, built
only to measure it against the poll the portal ships (bench/bench_phone_pop.py).

The stream checks the same query as the poll once a second inside the open response (no
second server type, no pub/sub): each open stream holds one gunicorn sync worker.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path

from cases import phone_pop
from familysupport.urls import handler403, handler404, handler500
from familysupport.urls import urlpatterns as portal

STREAM_SECONDS = 60  # bounded: the benchmark never leaves a worker held


def pop_stream(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    user = request.user

    def events():
        sent = ""
        deadline = time.time() + STREAM_SECONDS
        yield b": open\n\n"
        while time.time() < deadline:
            call = phone_pop.phone_call_next_for(user=user)
            token = phone_pop.pop_token(call)
            if call is not None and token != sent:
                sent = token
                yield f"data: {call.call_sid}\n\n".encode()
            time.sleep(1.0)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"
    return response


urlpatterns = [path("bench/pop-stream/", pop_stream, name="bench_pop_stream"), *portal]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
