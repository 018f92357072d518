"""The portal's one Django app."""

from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kinlink.portal"
    label = "portal"
    verbose_name = "Kinlink portal"
    default_auto_field = "django.db.models.BigAutoField"
