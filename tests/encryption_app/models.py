from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from migration_hub.core.encryption import EncryptedJSONField, EncryptedTextField


class Secret(models.Model):
    """A row with two encrypted fields beside plain ones that key rotation must leave alone."""

    label = models.CharField(max_length=50)
    note = EncryptedTextField(null=True, blank=True)
    payload = EncryptedJSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label
