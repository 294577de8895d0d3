from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from rich.progress import Progress

from migration_hub.core import search


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every searchable model."

    def handle(self, *args: Any, **options: Any) -> None:
        with Progress() as progress, transaction.atomic():
            for model in search.registered_models():
                task = progress.add_task(
                    str(model._meta.verbose_name_plural), total=model._default_manager.count()
                )
                count = search.rebuild(model, progress=lambda n, t=task: progress.advance(t, n))
                self.stdout.write(f"{model._meta.label}: {count} indexed")
        search.optimise()  # after the transaction: PostgreSQL can only VACUUM outside one
        self.stdout.write("Index optimised.")
