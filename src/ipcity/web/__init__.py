"""The web application: app factory, access checks, layout templates, static assets."""

# Path convertors are compiled into each route when it is declared, and every route module imports this package
# first: the bounded {name:int} convertor must be registered by then.
from ipcity.web import params as _params  # noqa: E402, F401
