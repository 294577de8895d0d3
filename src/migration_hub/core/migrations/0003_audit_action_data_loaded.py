from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_search_backends'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', 'Created'), ('update', 'Updated'), ('delete', 'Deleted'), ('view', 'Viewed'), ('export', 'Exported'), ('login', 'Logged in'), ('login_failed', 'Login failed'), ('logout', 'Logged out'), ('grant', 'Role granted'), ('revoke', 'Role revoked'), ('two_factor', 'Two-factor change'), ('load', 'Data loaded')], max_length=32, verbose_name='action'),
        ),
    ]
