from django.apps import AppConfig


class EncryptionTestConfig(AppConfig):
    name = "tests.encryption_app"
    label = "encryption_test"
    default_auto_field = "django.db.models.BigAutoField"
