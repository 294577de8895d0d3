import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Region',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('m49_code', models.CharField(max_length=3, unique=True, verbose_name='M49 code')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('level', models.CharField(choices=[('world', 'World'), ('region', 'Region'), ('sub_region', 'Sub-region'), ('intermediate_region', 'Intermediate region')], max_length=24, verbose_name='level')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='core.region', verbose_name='parent')),
            ],
            options={
                'verbose_name': 'region',
                'verbose_name_plural': 'regions',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Country',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('alpha2', models.CharField(max_length=2, unique=True, verbose_name='ISO alpha-2')),
                ('alpha3', models.CharField(max_length=3, unique=True, verbose_name='ISO alpha-3')),
                ('m49_code', models.CharField(max_length=3, unique=True, verbose_name='M49 code')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('official_name', models.CharField(blank=True, max_length=200, verbose_name='official name')),
                ('intermediate_region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='intermediate region')),
                ('region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='region')),
                ('sub_region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='sub-region')),
            ],
            options={
                'verbose_name': 'country or area',
                'verbose_name_plural': 'countries and areas',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when')),
                ('actor_ref', models.CharField(blank=True, max_length=64, verbose_name='actor id')),
                ('action', models.CharField(choices=[('create', 'Created'), ('update', 'Updated'), ('delete', 'Deleted'), ('view', 'Viewed'), ('export', 'Exported'), ('login', 'Logged in'), ('login_failed', 'Login failed'), ('logout', 'Logged out'), ('grant', 'Role granted'), ('revoke', 'Role revoked'), ('two_factor', 'Two-factor change'), ('load', 'Reference data loaded')], max_length=32, verbose_name='action')),
                ('target_id', models.CharField(blank=True, max_length=64, verbose_name='target id')),
                ('organization_ref', models.CharField(blank=True, db_index=True, max_length=64, verbose_name='organization id')),
                ('changes', models.JSONField(blank=True, default=dict, verbose_name='changes')),
                ('metadata', models.JSONField(blank=True, default=dict, verbose_name='metadata')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                ('target_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='contenttypes.contenttype', verbose_name='target type')),
            ],
            options={
                'verbose_name': 'audit event',
                'verbose_name_plural': 'audit events',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['target_type', 'target_id'], name='core_audit_target_idx')],
            },
        ),
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('target_id', models.CharField(max_length=64)),
                ('title', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('target_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
            ],
            options={
                'verbose_name': 'search document',
                'verbose_name_plural': 'search documents',
                'ordering': ['id'],
                'constraints': [models.UniqueConstraint(fields=('target_type', 'target_id'), name='core_searchdocument_one_per_object')],
            },
        ),
    ]
