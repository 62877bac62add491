"""Klynge's router: FastAPI's, whose routes read their body through app/api/bodies.py.

Every router in app/ is made from this class, so no route takes a body another way
(tests/api/test_media_types.py checks it over the whole app).
"""

from collections.abc import Callable, Coroutine
from typing import Any

import fastapi
from fastapi import params
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.api.bodies import read_body


class BodyReadingRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler
        takes_form = isinstance(self.body_field.field_info, params.Form)

        async def read_body_first(request: Request) -> Response:
            await read_body(request, takes_form=takes_form)
            return await handler(request)

        return read_body_first


class APIRouter(fastapi.APIRouter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(route_class=BodyReadingRoute, **kwargs)
