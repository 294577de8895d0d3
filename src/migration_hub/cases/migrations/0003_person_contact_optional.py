import django.core.serializers.json
import migration_hub.core.encryption
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_referrals'),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='contact',
            field=migration_hub.core.encryption.EncryptedJSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='contact details'),
        ),
        migrations.AlterField(
            model_name='person',
            name='vulnerabilities',
            field=migration_hub.core.encryption.EncryptedJSONField(blank=True, default=list, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='vulnerabilities'),
        ),
    ]
