"""Joins the two lines of migrations: areas and published changes, challenges and weights."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_publishedchange"),
        ("portal", "0006_record_link_weights"),
    ]

    operations: list[migrations.operations.base.Operation] = []
