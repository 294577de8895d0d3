import django.db.models.deletion
import django.utils.timezone
import migration_hub.core.encryption
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_health_roles'),
        ('cases', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DataSharingAgreement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('purpose', models.CharField(max_length=300, verbose_name='purpose')),
                ('shared_sections', models.JSONField(default=list, help_text='Codes from the catalogue of shareable sections (SharedSection).', verbose_name='sections shared')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_until', models.DateField(verbose_name='valid until')),
                ('signed_reference', models.CharField(max_length=100, verbose_name='signed agreement reference')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('from_organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sharing_agreements_given', to='accounts.organization', verbose_name='sharing organization')),
                ('to_organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sharing_agreements_received', to='accounts.organization', verbose_name='receiving organization')),
            ],
            options={
                'verbose_name': 'data-sharing agreement',
                'verbose_name_plural': 'data-sharing agreements',
                'ordering': ['from_organization__name', 'to_organization__name', '-valid_from', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Referral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('kind', models.CharField(choices=[('referral', 'Referral (the case stays with the sender)'), ('transfer', 'Transfer (the case moves to the receiver)')], max_length=16, verbose_name='kind')),
                ('services', models.JSONField(blank=True, default=list, verbose_name='services requested')),
                ('status', models.CharField(choices=[('requested', 'Requested'), ('accepted', 'Accepted'), ('rejected', 'Rejected'), ('revoked', 'Revoked'), ('expired', 'Expired')], db_index=True, default='requested', max_length=16, verbose_name='status')),
                ('shared_sections', models.JSONField(default=list, verbose_name='sections shared')),
                ('basis', models.CharField(choices=[('consent', "The person's consent to sharing"), ('override', 'Consent override (reason and second approval)')], max_length=16, verbose_name='legal basis')),
                ('override_reason', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', verbose_name='reason for the override')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='override approved')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted or rejected')),
                ('decision_reason', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', verbose_name='reason given')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('expires_at', models.DateTimeField(db_index=True, verbose_name='expires')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='cases.datasharingagreement', verbose_name='data-sharing agreement')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='override approved by')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='cases.case', verbose_name='case')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted or rejected by')),
                ('from_organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals_sent', to='accounts.organization', verbose_name='sending organization')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
                ('to_organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals_received', to='accounts.organization', verbose_name='receiving organization')),
            ],
            options={
                'verbose_name': 'referral',
                'verbose_name_plural': 'referrals',
                'ordering': ['-requested_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='datasharingagreement',
            index=models.Index(fields=['from_organization', 'to_organization', 'is_active'], name='cases_dsa_pair_idx'),
        ),
        migrations.AddConstraint(
            model_name='datasharingagreement',
            constraint=models.CheckConstraint(condition=models.Q(('from_organization', models.F('to_organization')), _negated=True), name='cases_datasharingagreement_not_to_self'),
        ),
        migrations.AddConstraint(
            model_name='datasharingagreement',
            constraint=models.CheckConstraint(condition=models.Q(('valid_until__gte', models.F('valid_from'))), name='cases_datasharingagreement_valid_period'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['to_organization', 'status'], name='cases_referral_to_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['case', 'status'], name='cases_referral_case_idx'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('from_organization', models.F('to_organization')), _negated=True), name='cases_referral_not_to_self'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('requested_at'))), name='cases_referral_expires_after_request'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), models.Q(('approved_by', models.F('requested_by')), _negated=True), _connector='OR'), name='cases_referral_approver_not_requester'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('basis', 'override'), ('approved_by__isnull', True), _connector='OR'), name='cases_referral_approval_only_for_override'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(('approved_at__isnull', True), ('approved_by__isnull', False), _connector='OR'), name='cases_referral_approval_complete'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'accepted'), _negated=True), models.Q(('decided_at__isnull', False), models.Q(('basis', 'consent'), ('approved_at__isnull', False), _connector='OR')), _connector='OR'), name='cases_referral_accepted_when_effective'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'revoked'), _negated=True), ('revoked_at__isnull', False), _connector='OR'), name='cases_referral_revoked_dated'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'referral'), ('status__in', ['requested', 'accepted'])), fields=('case', 'to_organization'), name='cases_referral_one_open_per_receiver'),
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'transfer'), ('status', 'requested')), fields=('case',), name='cases_referral_one_pending_transfer'),
        ),
    ]
