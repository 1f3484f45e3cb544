"""The application factory: wires the database, file store, plugins, templates and the job worker once."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment

from ipcity.bootstrap import default_registry
from ipcity.core import clock, i18n, jobs
from ipcity.core.config import Settings, load_settings
from ipcity.core.db import Database
from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Registry
from ipcity.core.tables import Job
from ipcity.web import security_headers
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
    files = FileStore(settings.files_dir, settings.max_upload_bytes, settings.files_quota_bytes)
    db = Database(settings.database_url, info={"settings": settings, "files": files})
    templates = make_environment([p.templates for p in registry.plugins if p.templates])
    return Services(settings, db, registry, files, templates)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def create_app(settings: Settings | None = None, registry: Registry | None = None) -> FastAPI:
    settings = settings or load_settings()
    services = build_services(settings, registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.run_worker:
            jobs.requeue_interrupted(services.db)
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

    @app.middleware("http")
    async def language_and_headers(request: Request, call_next):
        locale = i18n.pick_locale(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))
        token = i18n.current_locale.set(locale)
        try:
            response = await call_next(request)
        finally:
            i18n.current_locale.reset(token)
        return security_headers.apply(response)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        if _wants_json(request):
            return JSONResponse(exc.as_dict(), status_code=exc.status)
        return render(request, "error.html", {"error": exc}, status_code=exc.status, count_unread=False)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if _wants_json(request) or request.method != "GET":
            message = {401: Msg("Sign in first"), 403: Msg("You may not do this"),
                       404: Msg("Not found")}.get(exc.status_code, Msg(str(exc.detail)))
            return JSONResponse({"error": message.render(), "detail": exc.detail}, status_code=exc.status_code)
        if exc.status_code == 401:
            target = quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
            return RedirectResponse(f"/login?next={target}", status_code=303)
        err = DomainError(Msg("You may not do this") if exc.status_code == 403 else Msg(str(exc.detail)))
        err.status = exc.status_code
        return render(request, "error.html", {"error": err}, status_code=exc.status_code, count_unread=False)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]} for e in exc.errors()]
        return JSONResponse({"error": Msg("Some fields are missing or malformed").render(), "problems": problems},
                            status_code=422)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    from ipcity.web.admin_routes import router as admin_router
    from ipcity.web.core_routes import router as core_router

    app.include_router(core_router)
    app.include_router(admin_router)
    for plugin in services.registry.plugins:
        for router in plugin.routers:
            app.include_router(router)
    return app
