import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Area',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=8, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('kind', models.CharField(choices=[('world', 'World'), ('region', 'Region'), ('sub_region', 'Sub-region'), ('intermediate_region', 'Intermediate region'), ('country', 'Country or area'), ('group', 'Group of countries'), ('other', 'Other (stateless, unknown)')], max_length=24, verbose_name='kind')),
                ('alpha3', models.CharField(blank=True, max_length=3, verbose_name='ISO alpha-3')),
            ],
            options={
                'verbose_name': 'area',
                'verbose_name_plural': 'areas',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=64, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=300, verbose_name='name')),
                ('unit', models.CharField(max_length=64, verbose_name='unit')),
                ('sdg_indicator', models.CharField(blank=True, max_length=16, verbose_name='SDG indicator')),
                ('publisher_code', models.CharField(blank=True, max_length=64, verbose_name="publisher's code")),
                ('description', models.TextField(blank=True, verbose_name='description')),
            ],
            options={
                'verbose_name': 'indicator',
                'verbose_name_plural': 'indicators',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Dataset',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(help_text='Stable name of the series, the same for every revision.', max_length=64, verbose_name='key')),
                ('kind', models.CharField(choices=[('undesa-stock', 'UN DESA International Migrant Stock workbook'), ('undesa-origin-destination', 'UN DESA origin by destination matrix'), ('unhcr', 'UNHCR refugees and asylum seekers'), ('wdi', 'World Bank World Development Indicators sheet'), ('indicator-csv', 'Indicator CSV, XLSX or SDMX-CSV')], max_length=32, verbose_name='importer')),
                ('publisher', models.CharField(max_length=200, verbose_name='publisher')),
                ('title', models.CharField(max_length=300, verbose_name='title')),
                ('revision', models.CharField(max_length=32, verbose_name='revision')),
                ('licence', models.CharField(blank=True, max_length=100, verbose_name='licence')),
                ('source_url', models.URLField(blank=True, max_length=500, verbose_name='source URL')),
                ('file_name', models.CharField(blank=True, max_length=255, verbose_name='file name')),
                ('file_sha256', models.CharField(blank=True, max_length=64, verbose_name='file SHA-256')),
                ('imported_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='imported')),
                ('absent_means_zero', models.BooleanField(default=False, help_text="True for sparse matrices where the publisher's zero cells are not stored.", verbose_name='absent cells are zero')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('indicator_codes', models.JSONField(blank=True, default=list, verbose_name='indicators')),
                ('has_origins', models.BooleanField(default=False, verbose_name='figures by origin')),
                ('last_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='latest year')),
                ('imported_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='imported by')),
                ('owner', models.ForeignKey(blank=True, help_text="The regional body that keeps a regional data set and reviews what offices send to it; empty for a publisher's release, which takes no contributions.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='statistics_datasets', to='accounts.organization', verbose_name='owned by')),
            ],
            options={
                'verbose_name': 'data set',
                'verbose_name_plural': 'data sets',
                'ordering': ['key', '-revision'],
            },
        ),
        migrations.CreateModel(
            name='Contribution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('submitted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='submitted')),
                ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                ('file_sha256', models.CharField(max_length=64, verbose_name='file SHA-256')),
                ('rows', models.JSONField(default=list, help_text='As sent; on approval each row also keeps the value it replaced.', verbose_name='figures')),
                ('status', models.CharField(choices=[('submitted', 'Waiting for review'), ('approved', 'Approved and merged'), ('rejected', 'Rejected')], default='submitted', max_length=16, verbose_name='status')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed')),
                ('review_note', models.TextField(blank=True, verbose_name='review note')),
                ('office', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.office', verbose_name='office')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statistics_contributions', to='accounts.organization', verbose_name='organization')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by')),
                ('submitted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by')),
                ('dataset', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contributions', to='statistics.dataset', verbose_name='data set')),
            ],
            options={
                'verbose_name': 'data contribution',
                'verbose_name_plural': 'data contributions',
                'ordering': ['-submitted_at'],
            },
        ),
        migrations.CreateModel(
            name='Observation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('sex', models.CharField(choices=[('total', 'Both sexes'), ('male', 'Male'), ('female', 'Female')], default='total', max_length=8, verbose_name='sex')),
                ('value', models.FloatField(blank=True, null=True, verbose_name='value')),
                ('flag', models.CharField(blank=True, choices=[('', 'As published'), ('missing', 'Missing'), ('estimate', 'Estimate')], max_length=16, verbose_name='flag')),
                ('area', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='observations', to='statistics.area', to_field='code', verbose_name='area')),
                ('contribution', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='observations', to='statistics.contribution', verbose_name='contributed by')),
                ('dataset', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='observations', to='statistics.dataset', verbose_name='data set')),
                ('indicator', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='observations', to='statistics.indicator', verbose_name='indicator')),
                ('origin', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='observations_as_origin', to='statistics.area', to_field='code', verbose_name='origin')),
            ],
            options={
                'verbose_name': 'observation',
                'verbose_name_plural': 'observations',
                'ordering': ['indicator', 'area', 'year', 'sex'],
            },
        ),
        migrations.AddConstraint(
            model_name='dataset',
            constraint=models.UniqueConstraint(fields=('key', 'revision'), name='statistics_dataset_unique_revision'),
        ),
        migrations.AddIndex(
            model_name='observation',
            index=models.Index(fields=['indicator', 'area', 'year'], name='statistics_obs_lookup_idx'),
        ),
        migrations.AddIndex(
            model_name='observation',
            index=models.Index(fields=['indicator', 'origin', 'year'], name='statistics_obs_origin_idx'),
        ),
        migrations.AddConstraint(
            model_name='observation',
            constraint=models.UniqueConstraint(condition=models.Q(('origin__isnull', True)), fields=('dataset', 'indicator', 'area', 'year', 'sex'), name='statistics_observation_unique_figure'),
        ),
        migrations.AddConstraint(
            model_name='observation',
            constraint=models.UniqueConstraint(condition=models.Q(('origin__isnull', False)), fields=('dataset', 'indicator', 'area', 'origin', 'year', 'sex'), name='statistics_observation_unique_flow'),
        ),
        migrations.AddConstraint(
            model_name='observation',
            constraint=models.CheckConstraint(condition=models.Q(('value__isnull', False), ('flag', 'missing'), _connector='OR'), name='statistics_observation_missing_is_flagged'),
        ),
    ]
