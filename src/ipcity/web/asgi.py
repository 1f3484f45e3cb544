"""ASGI entry point for uvicorn and other servers: `uvicorn ipcity.web.asgi:app`."""

from ipcity.web.app import create_app

app = create_app()
