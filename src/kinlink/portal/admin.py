"""Administrators manage users and their scopes; case data is not registered here."""

from __future__ import annotations

from django.contrib import admin

from kinlink.portal.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "school_urns", "practitioner_name", "team", "link_reviewer")
    list_filter = ("role", "link_reviewer")
    search_fields = ("user__username",)
