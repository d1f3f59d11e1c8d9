"""The compose form's per-draft token, unique per company: a draft posted twice is queued once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="submit_token",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.UniqueConstraint(
                fields=("company", "submit_token"), name="mail_outbox_one_message_per_submit"
            ),
        ),
    ]
