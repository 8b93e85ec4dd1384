"""Flask extensions shared by the blueprints: CSRF protection (login limits: ratelimit.py)."""

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
