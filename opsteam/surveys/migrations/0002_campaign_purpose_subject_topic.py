# Reaction surveys on the survey instrument: campaign purpose, subjects that are not people
# (a training session's topic), and the anonymous training-participant rater group.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0003_purge_record'),
        ('surveys', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='purpose',
            field=models.CharField(choices=[('feedback_360', '360 feedback'), ('training_reaction', 'Training reaction survey')], default='feedback_360', editable=False, max_length=30, verbose_name='purpose'),
        ),
        migrations.AddField(
            model_name='subject',
            name='topic',
            field=models.CharField(blank=True, help_text='What is rated when it is not a person, e.g. a training session.', max_length=300, verbose_name='topic'),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='relationship',
            field=models.CharField(choices=[('self', 'Self'), ('manager', 'Manager'), ('dotted_line', 'Dotted-line manager or project lead'), ('peer', 'Peer'), ('direct_report', 'Direct report'), ('internal_customer', 'Internal customer'), ('external_customer', 'External customer'), ('participant', 'Training participant')], max_length=30, verbose_name='relationship'),
        ),
        migrations.AlterField(
            model_name='subject',
            name='staff',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='survey_subjects', to='org.staff', verbose_name='person reviewed'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.CheckConstraint(condition=models.Q(('staff__isnull', False), models.Q(('topic', ''), _negated=True), _connector='OR'), name='surveys_subject_staff_or_topic'),
        ),
    ]
