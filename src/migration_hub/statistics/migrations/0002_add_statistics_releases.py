import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('statistics', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PrivacyBudget',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dataset_key', models.CharField(max_length=100, unique=True, verbose_name='data set key')),
                ('total_epsilon', models.DecimalField(decimal_places=6, max_digits=12, verbose_name='total epsilon')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
            ],
            options={
                'verbose_name': 'privacy budget',
                'verbose_name_plural': 'privacy budgets',
                'ordering': ['dataset_key'],
                'constraints': [models.CheckConstraint(condition=models.Q(('total_epsilon__gt', 0)), name='statistics_privacybudget_positive_total')],
            },
        ),
        migrations.CreateModel(
            name='StatisticsRelease',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=300, verbose_name='title')),
                ('dataset_key', models.CharField(help_text='The release table the figures come from, such as cases.counter_trafficking.', max_length=100, verbose_name='data set key')),
                ('dimensions', models.JSONField(default=list, verbose_name='dimensions')),
                ('categories', models.JSONField(default=dict, help_text='The categories of each dimension, in order.', verbose_name='categories')),
                ('method', models.CharField(choices=[('k_suppression', 'Small-cell suppression with complementary suppression'), ('differential_privacy', 'Differentially private counts (OpenDP)')], max_length=32, verbose_name='method')),
                ('parameters', models.JSONField(default=dict, verbose_name='parameters')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('withdrawn', 'Withdrawn')], default='draft', max_length=16, verbose_name='status')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='created')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published')),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn')),
                ('person_count', models.PositiveIntegerField(default=0, help_text='Never shown for a differentially private release.', verbose_name='persons')),
                ('person_set_sha256', models.CharField(blank=True, max_length=64, verbose_name='person set fingerprint')),
                ('person_digests', models.JSONField(blank=True, default=list, help_text='Sorted one-way digests of the persons counted, to measure how many persons two releases of the same data set differ by.', verbose_name='person digests')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
            ],
            options={
                'verbose_name': 'statistics release',
                'verbose_name_plural': 'statistics releases',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ReleaseCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(verbose_name='position')),
                ('key', models.JSONField(help_text='{dimension: category}; a total leaves its dimensions out.', verbose_name='cell')),
                ('value', models.IntegerField(blank=True, null=True, verbose_name='value')),
                ('suppressed', models.BooleanField(default=False, verbose_name='suppressed')),
                ('reason', models.CharField(blank=True, choices=[('', 'Published'), ('primary', 'Primary: fewer than k persons'), ('complementary', 'Complementary: protects another suppressed cell'), ('differencing', 'Protects against differencing with an earlier release')], max_length=16, verbose_name='reason')),
                ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cells', to='statistics.statisticsrelease', verbose_name='release')),
            ],
            options={
                'verbose_name': 'release cell',
                'verbose_name_plural': 'release cells',
                'ordering': ['release', 'position'],
            },
        ),
        migrations.CreateModel(
            name='PrivacyBudgetSpend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('epsilon', models.DecimalField(decimal_places=6, max_digits=12, verbose_name='epsilon')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='spent')),
                ('budget', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='spends', to='statistics.privacybudget', verbose_name='budget')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='spent by')),
                ('release', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='budget_spend', to='statistics.statisticsrelease', verbose_name='release')),
            ],
            options={
                'verbose_name': 'privacy budget spend',
                'verbose_name_plural': 'privacy budget spends',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='statisticsrelease',
            index=models.Index(fields=['dataset_key', 'status'], name='statistics_release_key_idx'),
        ),
        migrations.AddConstraint(
            model_name='statisticsrelease',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('published_at__isnull', False), _connector='OR'), name='statistics_statisticsrelease_published_has_date'),
        ),
        migrations.AddConstraint(
            model_name='releasecell',
            constraint=models.UniqueConstraint(fields=('release', 'position'), name='statistics_releasecell_unique_position'),
        ),
        migrations.AddConstraint(
            model_name='releasecell',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('suppressed', True), ('value__isnull', True), models.Q(('reason', ''), _negated=True)), models.Q(('reason', ''), ('suppressed', False), ('value__isnull', False)), _connector='OR'), name='statistics_releasecell_suppressed_has_no_value'),
        ),
        migrations.AddConstraint(
            model_name='privacybudgetspend',
            constraint=models.CheckConstraint(condition=models.Q(('epsilon__gt', 0)), name='statistics_privacybudgetspend_positive'),
        ),
    ]
