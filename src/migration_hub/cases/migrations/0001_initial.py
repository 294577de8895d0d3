import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
import migration_hub.core.encryption
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0003_health_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('reference', models.CharField(editable=False, max_length=32, verbose_name='reference')),
                ('case_type', models.CharField(choices=[('avrr', 'Assisted voluntary return and reintegration'), ('counter_trafficking', 'Counter-trafficking assistance'), ('stranded_assistance', 'Assistance to stranded migrants'), ('resettlement_movement', 'Resettlement movement')], max_length=32, verbose_name='case type')),
                ('state', models.CharField(db_index=True, max_length=32, verbose_name='state')),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='opened')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                ('trafficking_details', migration_hub.core.encryption.EncryptedJSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='trafficking details')),
                ('health_details', migration_hub.core.encryption.EncryptedJSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='health details')),
                ('gbv_details', migration_hub.core.encryption.EncryptedJSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='gender-based violence details')),
                ('child_protection_details', migration_hub.core.encryption.EncryptedJSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='child protection details')),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_cases', to=settings.AUTH_USER_MODEL, verbose_name='assigned caseworker')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='accounts.office', verbose_name='office')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'case',
                'verbose_name_plural': 'cases',
                'ordering': ['-opened_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(max_length=32, verbose_name='event')),
                ('from_state', models.CharField(blank=True, max_length=32, verbose_name='from')),
                ('to_state', models.CharField(max_length=32, verbose_name='to')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                ('note', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', verbose_name='note')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case', verbose_name='case')),
            ],
            options={
                'verbose_name': 'case event',
                'verbose_name_plural': 'case events',
                'ordering': ['case', 'at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CaseNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('sensitivity', models.CharField(blank=True, choices=[('trafficking', 'Trafficking details'), ('health', 'Health'), ('gbv', 'Gender-based violence'), ('child_protection', 'Child protection')], max_length=32, verbose_name='sensitivity')),
                ('text', migration_hub.core.encryption.EncryptedTextField(verbose_name='text')),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='cases.case', verbose_name='case')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
            ],
            options={
                'verbose_name': 'case note',
                'verbose_name_plural': 'case notes',
                'ordering': ['case', '-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Household',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_households', to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'household',
                'verbose_name_plural': 'households',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Person',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('given_name', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', verbose_name='given name')),
                ('family_name', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', verbose_name='family name')),
                ('date_of_birth', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', help_text='YYYY-MM-DD', verbose_name='date of birth')),
                ('date_of_birth_precision', models.CharField(choices=[('exact', 'Exact date'), ('month', 'Month and year'), ('year', 'Year only'), ('estimated', 'Estimated')], default='exact', max_length=16, verbose_name='precision of the date of birth')),
                ('sex', models.CharField(choices=[('female', 'Female'), ('male', 'Male'), ('other', 'Other'), ('unknown', 'Unknown')], default='unknown', max_length=16, verbose_name='sex')),
                ('nationalities', models.JSONField(blank=True, default=list, help_text='ISO 3166 alpha-2 codes.', verbose_name='nationalities')),
                ('languages', models.JSONField(blank=True, default=list, help_text='ISO 639 codes.', verbose_name='languages')),
                ('contact', migration_hub.core.encryption.EncryptedJSONField(default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='contact details')),
                ('vulnerabilities', migration_hub.core.encryption.EncryptedJSONField(default=list, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='vulnerabilities')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='members', to='cases.household', verbose_name='household')),
                ('organization', models.ForeignKey(help_text='The organization that collected the data and is responsible for it.', on_delete=django.db.models.deletion.PROTECT, related_name='case_people', to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'person',
                'verbose_name_plural': 'people',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='IdentityDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('kind', models.CharField(choices=[('passport', 'Passport'), ('national_id', 'National identity card'), ('travel_document', 'Travel document'), ('birth_certificate', 'Birth certificate'), ('residence_permit', 'Residence permit'), ('refugee_id', 'Refugee or asylum-seeker identity document'), ('other', 'Other document')], max_length=32, verbose_name='kind')),
                ('issuing_country', models.CharField(help_text='ISO 3166 alpha-2 code.', max_length=2, verbose_name='issuing country')),
                ('number', migration_hub.core.encryption.EncryptedTextField(verbose_name='number')),
                ('number_hash', models.CharField(db_index=True, editable=False, max_length=64, verbose_name='number hash')),
                ('expires_on', models.DateField(blank=True, null=True, verbose_name='expires on')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='cases.person', verbose_name='person')),
            ],
            options={
                'verbose_name': 'identity document',
                'verbose_name_plural': 'identity documents',
                'ordering': ['person', 'kind'],
            },
        ),
        migrations.AddField(
            model_name='case',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.person', verbose_name='person'),
        ),
        migrations.CreateModel(
            name='Team',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_teams', to='accounts.office', verbose_name='office')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_teams', to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'team',
                'verbose_name_plural': 'teams',
                'ordering': ['office__name', 'name'],
            },
        ),
        migrations.CreateModel(
            name='CaseStaff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('role', models.CharField(choices=[('caseworker', 'Caseworker'), ('case_supervisor', 'Case supervisor'), ('office_manager', 'Office manager'), ('data_protection_officer', 'Data protection officer'), ('organization_admin', 'Organization administrator'), ('auditor', 'Auditor'), ('platform_oversight', 'Platform oversight')], max_length=32, verbose_name='role')),
                ('scope', models.CharField(choices=[('own', 'Own cases (assigned to the user)'), ('team', "The team's cases"), ('office', "The office's cases"), ('organization', "The organization's cases"), ('all', "Every organization's cases")], max_length=16, verbose_name='record scope')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('office', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_staff', to='accounts.office', verbose_name='office')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='case_staff', to='accounts.organization', verbose_name='organization')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='case_staff_rows', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff', to='cases.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'case staff role',
                'verbose_name_plural': 'case staff roles',
                'ordering': ['organization__name', 'user__username', 'role'],
            },
        ),
        migrations.AddField(
            model_name='case',
            name='team',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.team', verbose_name='team'),
        ),
        migrations.CreateModel(
            name='BreakGlassRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', migration_hub.core.encryption.EncryptedTextField(verbose_name='reason')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved')),
                ('expires_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='expires')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='break_glass_requests', to='cases.case', verbose_name='case')),
            ],
            options={
                'verbose_name': 'break-glass request',
                'verbose_name_plural': 'break-glass requests',
                'ordering': ['-requested_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), models.Q(('approved_by', models.F('requested_by')), _negated=True), _connector='OR'), name='cases_breakglassrequest_approver_not_requester'), models.CheckConstraint(condition=models.Q(('approved_at__isnull', True), models.Q(('approved_by__isnull', False), ('expires_at__gt', models.F('approved_at'))), _connector='OR'), name='cases_breakglassrequest_approval_complete')],
            },
        ),
        migrations.CreateModel(
            name='CaseSequence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case_type', models.CharField(choices=[('avrr', 'Assisted voluntary return and reintegration'), ('counter_trafficking', 'Counter-trafficking assistance'), ('stranded_assistance', 'Assistance to stranded migrants'), ('resettlement_movement', 'Resettlement movement')], max_length=32)),
                ('year', models.PositiveSmallIntegerField()),
                ('last', models.PositiveIntegerField(default=0)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
            ],
            options={
                'verbose_name': 'case number sequence',
                'verbose_name_plural': 'case number sequences',
                'ordering': ['organization', 'case_type', 'year'],
                'constraints': [models.UniqueConstraint(fields=('organization', 'case_type', 'year'), name='cases_casesequence_unique')],
            },
        ),
        migrations.CreateModel(
            name='CaseTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('title', migration_hub.core.encryption.EncryptedTextField(verbose_name='title')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='due on')),
                ('done', models.BooleanField(default=False, verbose_name='done')),
                ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='cases.case', verbose_name='case')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
            ],
            options={
                'verbose_name': 'case task',
                'verbose_name_plural': 'case tasks',
                'ordering': ['case', 'done', 'due_on', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('done', False), ('done_at__isnull', False), _connector='OR'), name='cases_casetask_done_dated')],
            },
        ),
        migrations.CreateModel(
            name='Consent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('services', 'Receiving services'), ('sharing', 'Sharing with named organizations'), ('statistics', 'Use in statistics'), ('tracing', 'Family tracing')], max_length=16, verbose_name='purpose')),
                ('scope', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', help_text='What the person agreed to, as told.', verbose_name='scope')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                ('is_child', models.BooleanField(default=False, help_text='Under 18 on the day recorded.', verbose_name='given for a child')),
                ('child_assent', models.BooleanField(blank=True, null=True, verbose_name="the child's assent")),
                ('guardian_name', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', verbose_name="guardian's name")),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn')),
                ('withdrawal_reason', migration_hub.core.encryption.EncryptedTextField(blank=True, default='', verbose_name='reason for the withdrawal')),
                ('collected_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='collected by')),
                ('organizations', models.ManyToManyField(blank=True, related_name='+', to='accounts.organization', verbose_name='organizations data may be shared with')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='withdrawal recorded by')),
                ('guardian', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.person', verbose_name='guardian')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='cases.person', verbose_name='person')),
            ],
            options={
                'verbose_name': 'consent',
                'verbose_name_plural': 'consents',
                'ordering': ['person', 'purpose', '-recorded_at', '-id'],
                'indexes': [models.Index(fields=['person', 'purpose'], name='cases_consent_purpose_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('is_child', False), ('child_assent', True), _connector='OR'), name='cases_consent_child_assent'), models.CheckConstraint(condition=models.Q(('withdrawn_at__isnull', True), ('withdrawn_at__gte', models.F('recorded_at')), _connector='OR'), name='cases_consent_withdrawn_after_recorded'), models.CheckConstraint(condition=models.Q(('guardian__isnull', True), models.Q(('guardian', models.F('person')), _negated=True), _connector='OR'), name='cases_consent_guardian_not_self')],
            },
        ),
        migrations.CreateModel(
            name='PersonLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('relationship', models.CharField(choices=[('parent', 'Parent'), ('child', 'Child'), ('guardian', 'Guardian'), ('spouse', 'Spouse or partner'), ('sibling', 'Sibling'), ('other_relative', 'Other relative'), ('other', 'Other')], max_length=32, verbose_name='relationship')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('from_person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links_from', to='cases.person', verbose_name='person')),
                ('to_person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links_to', to='cases.person', verbose_name='related to')),
            ],
            options={
                'verbose_name': 'link between people',
                'verbose_name_plural': 'links between people',
                'ordering': ['from_person', 'relationship'],
                'constraints': [models.UniqueConstraint(fields=('from_person', 'to_person', 'relationship'), name='cases_personlink_unique'), models.CheckConstraint(condition=models.Q(('from_person', models.F('to_person')), _negated=True), name='cases_personlink_not_to_self')],
            },
        ),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.UniqueConstraint(fields=('office', 'name'), name='cases_team_unique_name'),
        ),
        migrations.AddConstraint(
            model_name='casestaff',
            constraint=models.UniqueConstraint(fields=('user', 'organization', 'role'), name='cases_casestaff_unique_role'),
        ),
        migrations.AddConstraint(
            model_name='casestaff',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('scope', 'team'), _negated=True), ('team__isnull', False), _connector='OR'), name='cases_casestaff_team_scope_has_team'),
        ),
        migrations.AddConstraint(
            model_name='casestaff',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('scope', 'office'), _negated=True), ('office__isnull', False), _connector='OR'), name='cases_casestaff_office_scope_has_office'),
        ),
        migrations.AddConstraint(
            model_name='casestaff',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('scope', 'all'), _negated=True), ('role', 'platform_oversight'), _connector='OR'), name='cases_casestaff_all_scope_platform_only'),
        ),
        migrations.AddConstraint(
            model_name='casestaff',
            constraint=models.CheckConstraint(condition=models.Q(('team__isnull', True), ('office__isnull', False), _connector='OR'), name='cases_casestaff_team_within_office'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['organization', 'office', 'team'], name='cases_case_scope_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['assigned_to', 'organization'], name='cases_case_assignee_idx'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.UniqueConstraint(fields=('organization', 'reference'), name='cases_case_unique_ref'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('state', 'closed'), ('closed_at__isnull', True), _connector='OR'), name='cases_case_closed_at_only_when_closed'),
        ),
    ]
