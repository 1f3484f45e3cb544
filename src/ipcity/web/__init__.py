"""The web application: app factory, access checks, layout templates, static assets."""
