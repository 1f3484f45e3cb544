"""Route lookup narrowed by the path's first segment.

FastAPI tries every route of every included router in order until one matches, twice per request (once to
find the router, once inside it); with the services' two hundred routes that cost more than many endpoints'
own work (bench/web.py). The routes of a request whose path starts `/workplan/` can only be routes whose
path starts the same way, or one with a parameter there, so each first segment gets a view of the router
holding just those routes, in their original order: the same route wins as before.
"""

from __future__ import annotations

import copy

from fastapi.routing import APIRouter
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

ANY = None  # a route whose first segment is a parameter (or unknown) belongs to every view


def _first(path: str) -> str | None:
    segment = path.lstrip("/").split("/", 1)[0]
    return ANY if "{" in segment else segment


def _segments(route: BaseRoute) -> set[str] | None:
    """The first segments a route can match, or ANY."""
    if isinstance(route, Route | Mount):
        first = _first(route.path)
        return ANY if first is ANY else {first}
    contexts = getattr(route, "effective_route_contexts", None)  # an included router
    if contexts is None:
        return ANY
    found: set[str] = set()
    for context in contexts():
        first = _first(context.path_format)
        if first is ANY:
            return ANY
        found.add(first)
    return found


class FirstSegmentRouting:
    """The router's dispatch (its `middleware_stack`), on the view of the request's first segment."""

    def __init__(self, router: APIRouter):
        self.router = router
        self.built_for = -1  # routes added after start-up (a test's own) rebuild the views

    def _build(self) -> None:
        routes = list(self.router.routes)
        kinds = [(route, _segments(route)) for route in routes]
        every = {s for _, segments in kinds if segments is not ANY for s in segments}
        self.views = {s: self._view([r for r, segments in kinds if segments is ANY or s in segments])
                      for s in every}
        self.rest = self._view([r for r, segments in kinds if segments is ANY])
        # Low-priority routes are looked for across all routers: keep the full dispatch where there are any.
        self.enabled = not list(self.router._iter_low_priority_routes())
        self.built_for = len(routes)

    def _view(self, routes: list[BaseRoute]) -> APIRouter:
        view = copy.copy(self.router)
        view.routes = routes
        return view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.built_for != len(self.router.routes):
            self._build()
        if scope["type"] != "http" or not self.enabled:
            await self.router.app(scope, receive, send)
            return
        scope.setdefault("router", self.router)  # url_for and the docs see every route
        view = self.views.get(get_route_path(scope).lstrip("/").split("/", 1)[0], self.rest)
        await APIRouter.app(view, scope, receive, send)


def install(router: APIRouter) -> None:
    """Call after every route is included."""
    router.middleware_stack = FirstSegmentRouting(router)
