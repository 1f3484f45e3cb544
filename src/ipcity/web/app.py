"""The application factory: wires the database, file store, plugins, templates and the job worker once."""

from __future__ import annotations

import logging
import secrets
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException

from ipcity.bootstrap import default_registry
from ipcity.core import clock, fonts, i18n, jobs
from ipcity.core.config import Settings, load_settings
from ipcity.core.db import Database
from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore, store_for
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Registry
from ipcity.core.tables import Job
from ipcity.web import route_index, security_headers
from ipcity.web.limits import BodyLimits
from ipcity.web.params import parameters_in_range
from ipcity.web.templating import make_environment, render

STATIC = Path(__file__).resolve().parent / "static"
LANG_COOKIE = "ipcity_lang"
log = logging.getLogger(__name__)


@dataclass
class Services:
    """What every request and job can reach; built once per application."""

    settings: Settings
    db: Database
    registry: Registry
    files: FileStore
    templates: Environment
    worker: jobs.Worker | None = None

    def start_job(self, session, actor, kind: str, params: dict | None = None) -> Job:
        """Queue a job, commit, and wake this process's worker so that it starts at once."""
        job = jobs.enqueue(session, actor, kind, params)
        session.commit()
        if self.worker:
            self.worker.wake()
        return job


def build_services(settings: Settings, registry: Registry | None = None) -> Services:
    registry = registry or default_registry()
    if settings.today is not None:  # IPCITY_TODAY: this process's "today" (core/clock.py)
        clock.pin(settings.today)
    fonts.use_data_dir(settings.data_dir)
    files = store_for(settings)
    db = Database(settings.database_url, info={"settings": settings, "files": files})
    templates = make_environment([p.templates for p in registry.plugins if p.templates])
    return Services(settings, db, registry, files, templates)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _wants_page(request: Request) -> bool:
    """A person's browser, which gets the styled error page: not the API and not a client asking for JSON, and
    either a visit (GET: a link followed, an address typed) or a request that accepts HTML (a form submitted)."""
    if _wants_json(request):
        return False
    return request.method in ("GET", "HEAD") or "text/html" in request.headers.get("accept", "")


# What an error page says, by status: a heading and what the person can do about it.
TITLES = {
    400: Msg("The request could not be completed"),
    401: Msg("Sign in first"),
    403: Msg("You may not do this"),
    404: Msg("Page not found"),
    405: Msg("This address cannot be used this way"),
    409: Msg("The request could not be completed"),
    413: Msg("The request is too large"),
    422: Msg("Some fields are missing or malformed"),
    500: Msg("Something went wrong on our side"),
}
ADVICE = {
    401: Msg("Sign in to continue."),
    403: Msg("Your account's role or unit may not open this page or take this action. If you think it should, "
             "ask the administrator."),
    404: Msg("The address does not exist, or what it named has been removed. Check the address, or start again "
             "from the home page."),
    405: Msg("This address takes a form's submission, not a visit (or the other way round): go back and use the "
             "page's own button or link."),
    422: Msg("Go back, correct the values and try again."),
    500: Msg("The error has been recorded. Try again in a moment; if it happens again, tell the administrator "
             "the reference below."),
}
# Messages of the HTTP errors the platform raises itself (web/deps.py), in words a person reads.
DETAILS = {
    "Sign in first": Msg("Sign in first"),
    "Your role may not use this page": Msg("You may not do this"),
    "CSRF token missing or wrong": Msg("The form has expired or did not come from this site's own page: go back, "
                                       "reload the page and try again"),
    "Not Found": Msg("Page not found"),
    "Method Not Allowed": Msg("This address cannot be used this way"),
}
# Pydantic's error types, for a malformed query or form value (the JSON API keeps pydantic's own words).
VALIDATION = {
    "missing": Msg("a value is required"),
    "int_parsing": Msg("write a whole number"), "int_type": Msg("write a whole number"),
    "int_from_float": Msg("write a whole number"),
    "float_parsing": Msg("write a number"), "float_type": Msg("write a number"),
    "decimal_parsing": Msg("write a number"),
    "greater_than": Msg("the number is out of range"), "greater_than_equal": Msg("the number is out of range"),
    "less_than": Msg("the number is out of range"), "less_than_equal": Msg("the number is out of range"),
    "string_too_long": Msg("the text is too long"), "string_too_short": Msg("the text is too short"),
    "bool_parsing": Msg("write yes or no"),
    "date_parsing": Msg("write the date as YYYY-MM-DD"),
    "date_from_datetime_parsing": Msg("write the date as YYYY-MM-DD"),
}


def _resolve_person(request: Request) -> None:
    """Who is signed in, for the error page's menu, where no route's access check has said it (an unknown
    address). Best effort: an error page is shown whatever happens here."""
    from ipcity.web.deps import signed_in_or_anonymous

    try:
        with request.app.state.services.db.session() as s:
            signed_in_or_anonymous()._check(request, s, None)
    except Exception:  # noqa: BLE001 - the error page must not fail for want of its menu
        log.debug("no menu for the error page of %s", request.url.path, exc_info=True)


async def error_page(request: Request, status: int, error: DomainError | None = None, *, advice: Msg | None = None,
                     reference: str = "", person: bool = True) -> Response:
    """The styled error page (error.html) with the person's menu where it can be had."""
    if person and not hasattr(request.state, "page_context"):
        await run_in_threadpool(_resolve_person, request)
    title = TITLES.get(status, TITLES[400])
    error = error or DomainError(title)
    error.status = status
    login = ""
    if status == 401:
        referer = urlparse(request.headers.get("referer", ""))
        back = referer.path if referer.netloc == request.url.netloc and referer.path.startswith("/") else "/"
        login = f"/login?next={quote(back)}"
    return render(request, "error.html", {"error": error, "status": status, "title": title,
                                          "advice": advice or ADVICE.get(status), "reference": reference,
                                          "login_url": login}, status_code=status, count_unread=False)


def create_app(settings: Settings | None = None, registry: Registry | None = None) -> FastAPI:
    settings = settings or load_settings()
    services = build_services(settings, registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        problem = await run_in_threadpool(services.files.check)
        if problem:  # the pages without files still work; an upload or download says the store is unavailable
            log.error("%s", problem)
        if settings.run_worker:  # jobs left running by a dead process are taken over after their lease (core/jobs.py)
            services.worker = jobs.Worker(services.db, services.registry, services)
            services.worker.start()
        yield
        if services.worker:
            services.worker.stop()
        services.db.dispose()

    # Every route's path and query parameters are bounded before the handler runs (web/params.py).
    app = FastAPI(title="ipcity", lifespan=lifespan, docs_url="/api/docs", openapi_url="/api/openapi.json",
                  redoc_url=None, swagger_ui_oauth2_redirect_url=None, dependencies=[Depends(parameters_in_range)])
    app.state.services = services
    # Added first, so it runs inside the language middleware: its 413 pages are translated and get the headers.
    app.add_middleware(BodyLimits, owner=app)
    app.add_middleware(security_headers.LanguageAndHeaders, cookie=LANG_COOKIE)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        if _wants_json(request):
            return JSONResponse(exc.as_dict(), status_code=exc.status)
        return await error_page(request, exc.status, exc)

    # Starlette's HTTPException (an unknown address, a method the address does not take) and FastAPI's own.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = str(exc.detail)
        message = DETAILS.get(detail) or TITLES.get(exc.status_code) or Msg("The request could not be completed")
        if not _wants_page(request):
            return JSONResponse({"error": message.render(), "detail": exc.detail}, status_code=exc.status_code,
                                headers=exc.headers)
        if exc.status_code == 401 and request.method in ("GET", "HEAD"):
            target = quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
            return RedirectResponse(f"/login?next={target}", status_code=303)
        response = await error_page(request, exc.status_code, DomainError(message))
        if exc.headers:  # e.g. a 405's Allow
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if not _wants_page(request):
            problems = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]} for e in errors]
            return JSONResponse({"error": Msg("Some fields are missing or malformed").render(), "problems": problems},
                                status_code=422)
        problems = []
        for e in errors:
            name = ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0])
            why = VALIDATION.get(e.get("type", ""), Msg("the value is not valid"))
            where = (Msg("“{field}” in the address: {why}", field=name, why=why) if e["loc"][0] in ("query", "path")
                     else Msg("“{field}”: {why}", field=name, why=why))
            problems.append((name, where))
        return await error_page(request, 422, DomainError(TITLES[422], problems=problems or None))

    # Anything else is a fault of ours: logged with a reference the person can quote, answered with the error
    # page (or JSON). Starlette calls this outside the middleware, so it sets the language and headers itself;
    # the exception is still raised to the server (and to the test client) after the answer is sent.
    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        reference = secrets.token_hex(4)
        log.error("unhandled error, reference %s: %s %s", reference, request.method, request.url.path, exc_info=exc)
        locale = i18n.pick_locale(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))
        token = i18n.current_locale.set(locale)
        try:
            if _wants_json(request) or not _wants_page(request):
                response = JSONResponse({"error": TITLES[500].render(), "reference": reference}, status_code=500)
            else:
                response = await error_page(request, 500, reference=reference, person=False)
        except Exception:  # noqa: BLE001 - the page itself failed: a plain answer, never nothing
            log.exception("the error page failed, reference %s", reference)
            response = PlainTextResponse(f"Internal error / 服务器内部错误 ({reference})", status_code=500)
        finally:
            i18n.current_locale.reset(token)
        return security_headers.apply(response)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    from ipcity.web.admin_routes import router as admin_router
    from ipcity.web.core_routes import router as core_router

    app.include_router(core_router)
    app.include_router(admin_router)
    for plugin in services.registry.plugins:
        for router in plugin.routers:
            app.include_router(router)
    route_index.install(app.router)
    return app
