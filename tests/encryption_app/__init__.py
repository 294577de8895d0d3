"""A test-only app (label `encryption_test`) with a model holding encrypted fields.

Installed by migration_hub.config.test_settings only; it has no migrations, so the test database
creates its table directly.
"""
