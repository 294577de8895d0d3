import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_initial'),
        ('core', '0003_audit_action_data_loaded'),
        ('registry', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Donor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('state', 'State'), ('organization', 'Organization'), ('private', 'Private donor')], max_length=16, verbose_name='kind')),
                ('name', models.CharField(max_length=300, verbose_name='name')),
                ('country', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='donor', to='core.country', verbose_name='state')),
                ('organization', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='donor', to='registry.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'donor',
                'verbose_name_plural': 'donors',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ExchangeRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use the three-letter ISO 4217 code, such as USD or EUR.')], verbose_name='currency')),
                ('quote_currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use the three-letter ISO 4217 code, such as USD or EUR.')], verbose_name='in currency')),
                ('date', models.DateField(verbose_name='date')),
                ('rate', models.DecimalField(decimal_places=8, max_digits=20, verbose_name='rate')),
                ('source', models.CharField(blank=True, max_length=300, verbose_name='source')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exchange_rates', to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'exchange rate',
                'verbose_name_plural': 'exchange rates',
                'ordering': ['-date', 'currency', 'quote_currency'],
            },
        ),
        migrations.CreateModel(
            name='Fund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('code', models.CharField(max_length=32, unique=True, validators=[django.core.validators.RegexValidator('^[A-Z0-9][A-Z0-9.-]{0,31}$', 'Use capital letters, digits, dots or hyphens, starting with a letter or digit.')], verbose_name='code')),
                ('name', models.CharField(max_length=300, verbose_name='name')),
                ('currency', models.CharField(default='USD', max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use the three-letter ISO 4217 code, such as USD or EUR.')], verbose_name='currency')),
                ('funding_target', models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True, verbose_name='funding target')),
                ('rubric', models.JSONField(blank=True, default=list, help_text='Criteria concept notes are scored on: a list of {code, label, max}.', verbose_name='quality assessment rubric')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('source', models.CharField(blank=True, max_length=500, verbose_name='source')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('organization', models.ForeignKey(help_text='The tenant whose fund managers run the fund.', on_delete=django.db.models.deletion.PROTECT, related_name='funds', to='accounts.organization', verbose_name='managed by')),
            ],
            options={
                'verbose_name': 'fund',
                'verbose_name_plural': 'funds',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Contribution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}$', 'Use the three-letter ISO 4217 code, such as USD or EUR.')], verbose_name='currency')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='amount pledged')),
                ('status', models.CharField(choices=[('pledged', 'Pledged'), ('signed', 'Signed'), ('deposited', 'Deposited')], default='pledged', max_length=16, verbose_name='status')),
                ('pledged_on', models.DateField(verbose_name='pledged on')),
                ('signed_on', models.DateField(blank=True, null=True, verbose_name='signed on')),
                ('reference', models.CharField(blank=True, max_length=100, verbose_name='agreement reference')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('earmarked_region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='earmarked to region')),
                ('donor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contributions', to='funds.donor', verbose_name='donor')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contributions', to='funds.fund', verbose_name='fund')),
            ],
            options={
                'verbose_name': 'contribution',
                'verbose_name_plural': 'contributions',
                'ordering': ['-pledged_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Call',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('title', models.CharField(max_length=300, verbose_name='title')),
                ('opens_on', models.DateField(verbose_name='opens on')),
                ('deadline', models.DateField(verbose_name='deadline')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='calls', to='funds.fund', verbose_name='fund')),
            ],
            options={
                'verbose_name': 'call for concept notes',
                'verbose_name_plural': 'calls for concept notes',
                'ordering': ['-deadline', '-id'],
            },
        ),
        migrations.CreateModel(
            name='GovernanceSeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.CharField(choices=[('steering_committee', 'Steering Committee'), ('fund_management_unit', 'Fund Management Unit'), ('consultative_forum', 'Consultative Forum'), ('administrative_agent', 'Administrative Agent')], max_length=32, verbose_name='body')),
                ('role', models.CharField(choices=[('chair', 'Chair'), ('member', 'Member'), ('observer', 'Observer')], default='member', max_length=16, verbose_name='role')),
                ('country', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fund_seats', to='core.country', verbose_name='state')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='seats', to='funds.fund', verbose_name='fund')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fund_seats', to='registry.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'governance seat',
                'verbose_name_plural': 'governance seats',
                'ordering': ['fund', 'body', 'role', 'id'],
            },
        ),
        migrations.CreateModel(
            name='LedgerTransaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('deposit', 'Deposit'), ('allocation', 'Allocation'), ('transfer', 'Transfer'), ('refund', 'Unspent balance returned'), ('release', 'Commitment released')], max_length=16, verbose_name='kind')),
                ('date', models.DateField(verbose_name='value date')),
                ('memo', models.CharField(blank=True, max_length=300, verbose_name='memo')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                ('contribution', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='funds.contribution', verbose_name='contribution')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='funds.fund', verbose_name='fund')),
            ],
            options={
                'verbose_name': 'ledger transaction',
                'verbose_name_plural': 'ledger transactions',
                'ordering': ['fund', 'date', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Deposit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='deposited on')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='amount (contribution currency)')),
                ('rate', models.DecimalField(decimal_places=8, max_digits=20, verbose_name='exchange rate')),
                ('fund_amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='amount (fund currency)')),
                ('contribution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deposits', to='funds.contribution', verbose_name='contribution')),
                ('transaction', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='funds.ledgertransaction', verbose_name='transaction')),
            ],
            options={
                'verbose_name': 'deposit',
                'verbose_name_plural': 'deposits',
                'ordering': ['contribution', 'date', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Marker',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=32, validators=[django.core.validators.RegexValidator('^[A-Z0-9][A-Z0-9.-]{0,31}$', 'Use capital letters, digits, dots or hyphens, starting with a letter or digit.')], verbose_name='code')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('scale', models.JSONField(default=list, help_text='A list of {score, label}, lowest score first.', verbose_name='scale')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='markers', to='funds.fund', verbose_name='fund')),
            ],
            options={
                'verbose_name': 'marker',
                'verbose_name_plural': 'markers',
                'ordering': ['fund', 'code'],
            },
        ),
        migrations.CreateModel(
            name='Participant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('budget', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=18, verbose_name='budget')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'participating organization',
                'verbose_name_plural': 'participating organizations',
                'ordering': ['programme', 'organization__name'],
            },
        ),
        migrations.CreateModel(
            name='Programme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('code', models.CharField(max_length=48, unique=True, verbose_name='code')),
                ('title', models.CharField(max_length=300, verbose_name='title')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('status', models.CharField(choices=[('submitted', 'Concept note submitted'), ('assessed', 'Quality assessed'), ('selected', 'Selected'), ('pipeline', 'Pipeline'), ('rejected', 'Rejected'), ('document', 'Joint programme document'), ('approved', 'Approved'), ('closed', 'Closed')], db_index=True, default='submitted', max_length=16, verbose_name='status')),
                ('national_partners', models.TextField(blank=True, help_text='One per line.', verbose_name='national partners')),
                ('budget', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='budget requested')),
                ('marker_scores', models.JSONField(blank=True, default=dict, verbose_name='marker scores')),
                ('document_url', models.URLField(blank=True, verbose_name='joint programme document')),
                ('approved_on', models.DateField(blank=True, null=True, verbose_name='approved on')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                ('call', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='programmes', to='funds.call', verbose_name='call')),
                ('countries', models.ManyToManyField(blank=True, related_name='fund_programmes', to='core.country', verbose_name='countries')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programmes', to='funds.fund', verbose_name='fund')),
                ('objectives', models.ManyToManyField(blank=True, related_name='fund_programmes', to='registry.frameworkitem', verbose_name='GCM objectives')),
                ('participating_organizations', models.ManyToManyField(related_name='fund_programmes', through='funds.Participant', to='registry.organization', verbose_name='participating UN organizations')),
                ('regions', models.ManyToManyField(blank=True, related_name='fund_programmes', to='core.region', verbose_name='regions')),
                ('submitted_by_organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='concept_notes', to='accounts.organization', verbose_name='submitted by')),
            ],
            options={
                'verbose_name': 'programme',
                'verbose_name_plural': 'programmes',
                'ordering': ['fund', 'code'],
            },
        ),
        migrations.AddField(
            model_name='participant',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='funds.programme', verbose_name='programme'),
        ),
        migrations.AddField(
            model_name='ledgertransaction',
            name='programme',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='funds.programme', verbose_name='programme'),
        ),
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('deposit', 'Deposit'), ('allocation', 'Allocation'), ('transfer', 'Transfer'), ('refund', 'Unspent balance returned'), ('release', 'Commitment released')], max_length=16, verbose_name='kind')),
                ('account', models.CharField(choices=[('cash', 'Cash held'), ('contributions', 'Contributions'), ('allocations', 'Allocations to programmes'), ('commitments', 'Commitments not yet transferred')], max_length=16, verbose_name='account')),
                ('pool', models.CharField(blank=True, default='', max_length=40, verbose_name='earmark')),
                ('cents', models.BigIntegerField(verbose_name='amount (hundredths)')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='funds.fund', verbose_name='fund')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.organization', verbose_name='organization')),
                ('transaction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='funds.ledgertransaction', verbose_name='transaction')),
                ('programme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='funds.programme', verbose_name='programme')),
            ],
            options={
                'verbose_name': 'ledger entry',
                'verbose_name_plural': 'ledger entries',
                'ordering': ['transaction', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Decision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('outcome', models.CharField(choices=[('selected', 'Selected'), ('pipeline', 'Pipeline (endorsed, awaiting funds)'), ('rejected', 'Rejected')], max_length=16, verbose_name='decision')),
                ('reasons', models.TextField(verbose_name='reasons')),
                ('decided_on', models.DateField(verbose_name='decided on')),
                ('meeting', models.CharField(blank=True, max_length=200, verbose_name='meeting')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='funds.programme', verbose_name='programme')),
            ],
            options={
                'verbose_name': 'Steering Committee decision',
                'verbose_name_plural': 'Steering Committee decisions',
                'ordering': ['programme', 'decided_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Assessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('scores', models.JSONField(default=dict, verbose_name='scores')),
                ('total', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='score (%)')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('assessor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assessor')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assessments', to='funds.programme', verbose_name='programme')),
            ],
            options={
                'verbose_name': 'quality assessment',
                'verbose_name_plural': 'quality assessments',
                'ordering': ['programme', 'created_at'],
            },
        ),
        migrations.CreateModel(
            name='ThematicArea',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=32, validators=[django.core.validators.RegexValidator('^[A-Z0-9][A-Z0-9.-]{0,31}$', 'Use capital letters, digits, dots or hyphens, starting with a letter or digit.')], verbose_name='code')),
                ('name', models.CharField(max_length=300, verbose_name='name')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='thematic_areas', to='funds.fund', verbose_name='fund')),
                ('objectives', models.ManyToManyField(blank=True, related_name='fund_thematic_areas', to='registry.frameworkitem', verbose_name='GCM objectives')),
            ],
            options={
                'verbose_name': 'thematic area',
                'verbose_name_plural': 'thematic areas',
                'ordering': ['fund', 'position', 'code'],
            },
        ),
        migrations.CreateModel(
            name='Target',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dimension', models.CharField(choices=[('thematic_area', 'Thematic area'), ('region', 'Region'), ('marker', 'Marker')], max_length=16, verbose_name='dimension')),
                ('minimum_score', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='minimum score')),
                ('minimum_share', models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='minimum share (%)')),
                ('source', models.CharField(blank=True, max_length=500, verbose_name='source or decision')),
                ('fund', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='funds.fund', verbose_name='fund')),
                ('marker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='funds.marker', verbose_name='marker')),
                ('region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='region')),
                ('thematic_area', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='funds.thematicarea', verbose_name='thematic area')),
            ],
            options={
                'verbose_name': 'target',
                'verbose_name_plural': 'targets',
                'ordering': ['fund', 'dimension', 'id'],
            },
        ),
        migrations.AddField(
            model_name='programme',
            name='thematic_area',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programmes', to='funds.thematicarea', verbose_name='thematic area'),
        ),
        migrations.AddField(
            model_name='contribution',
            name='earmarked_thematic_area',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='earmarked_contributions', to='funds.thematicarea', verbose_name='earmarked to thematic area'),
        ),
        migrations.AddField(
            model_name='call',
            name='thematic_areas',
            field=models.ManyToManyField(blank=True, related_name='calls', to='funds.thematicarea', verbose_name='thematic areas'),
        ),
        migrations.CreateModel(
            name='Tranche',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='tranche')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='amount')),
                ('transferred_on', models.DateField(verbose_name='transferred on')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.organization', verbose_name='organization')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tranches', to='funds.programme', verbose_name='programme')),
                ('transaction', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='funds.ledgertransaction', verbose_name='transaction')),
            ],
            options={
                'verbose_name': 'tranche',
                'verbose_name_plural': 'tranches',
                'ordering': ['programme', 'number'],
            },
        ),
        migrations.CreateModel(
            name='ProgressReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('kind', models.CharField(choices=[('narrative', 'Annual narrative report'), ('financial', 'Annual financial report')], max_length=16, verbose_name='kind')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('submitted_on', models.DateField(verbose_name='submitted on')),
                ('expenditure', models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True, verbose_name='expenditure')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.organization', verbose_name='organization')),
                ('programme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='funds.programme', verbose_name='programme')),
                ('tranches', models.ManyToManyField(blank=True, related_name='reports', to='funds.tranche', verbose_name='tranches accounted for')),
            ],
            options={
                'verbose_name': 'progress report',
                'verbose_name_plural': 'progress reports',
                'ordering': ['programme', 'year', 'kind', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='donor',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('country__isnull', False), ('kind', 'state'), ('organization__isnull', True)), models.Q(('country__isnull', True), ('kind', 'organization'), ('organization__isnull', False)), models.Q(('country__isnull', True), ('kind', 'private'), ('organization__isnull', True)), _connector='OR'), name='funds_donor_kind_matches'),
        ),
        migrations.AddConstraint(
            model_name='exchangerate',
            constraint=models.UniqueConstraint(fields=('organization', 'currency', 'quote_currency', 'date'), name='funds_exchangerate_day'),
        ),
        migrations.AddConstraint(
            model_name='exchangerate',
            constraint=models.CheckConstraint(condition=models.Q(('rate__gt', 0)), name='funds_exchangerate_positive'),
        ),
        migrations.AddConstraint(
            model_name='governanceseat',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('country__isnull', True), ('organization__isnull', False)), models.Q(('country__isnull', False), ('organization__isnull', True)), _connector='OR'), name='funds_governanceseat_one_holder'),
        ),
        migrations.AddConstraint(
            model_name='deposit',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0), ('fund_amount__gt', 0)), name='funds_deposit_positive'),
        ),
        migrations.AddConstraint(
            model_name='marker',
            constraint=models.UniqueConstraint(fields=('fund', 'code'), name='funds_marker_code'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.UniqueConstraint(fields=('programme', 'organization'), name='funds_participant_once'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(('budget__gte', 0)), name='funds_participant_budget_not_negative'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['fund', 'account', 'kind', 'pool', 'cents'], name='funds_entry_balances'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['fund', 'account', 'programme', 'cents'], name='funds_entry_allocations'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['programme', 'account'], name='funds_entry_programme'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('cents', 0), _negated=True), name='funds_ledgerentry_not_zero'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(fields=('programme', 'assessor'), name='funds_assessment_one_per_assessor'),
        ),
        migrations.AddConstraint(
            model_name='thematicarea',
            constraint=models.UniqueConstraint(fields=('fund', 'code'), name='funds_thematicarea_code'),
        ),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('dimension', 'thematic_area'), ('marker__isnull', True), ('region__isnull', True), ('thematic_area__isnull', False)), models.Q(('dimension', 'region'), ('marker__isnull', True), ('region__isnull', False), ('thematic_area__isnull', True)), models.Q(('dimension', 'marker'), ('marker__isnull', False), ('minimum_score__isnull', False), ('region__isnull', True), ('thematic_area__isnull', True)), _connector='OR'), name='funds_target_one_subject'),
        ),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.CheckConstraint(condition=models.Q(('minimum_share__gte', 0), ('minimum_share__lte', 100)), name='funds_target_share_is_a_percentage'),
        ),
        migrations.AddConstraint(
            model_name='programme',
            constraint=models.CheckConstraint(condition=models.Q(('budget__gt', 0)), name='funds_programme_positive_budget'),
        ),
        migrations.AddConstraint(
            model_name='contribution',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='funds_contribution_positive'),
        ),
        migrations.AddConstraint(
            model_name='contribution',
            constraint=models.CheckConstraint(condition=models.Q(('earmarked_thematic_area__isnull', True), ('earmarked_region__isnull', True), _connector='OR'), name='funds_contribution_one_earmark'),
        ),
        migrations.AddConstraint(
            model_name='call',
            constraint=models.CheckConstraint(condition=models.Q(('deadline__gte', models.F('opens_on'))), name='funds_call_deadline_after_opening'),
        ),
        migrations.AddConstraint(
            model_name='tranche',
            constraint=models.UniqueConstraint(fields=('programme', 'number'), name='funds_tranche_number'),
        ),
        migrations.AddConstraint(
            model_name='tranche',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='funds_tranche_positive'),
        ),
        migrations.AddConstraint(
            model_name='progressreport',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'narrative'), models.Q(('expenditure__gte', 0), ('organization__isnull', False)), _connector='OR'), name='funds_progressreport_financial_has_figures'),
        ),
    ]
