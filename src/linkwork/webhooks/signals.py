"""The signal the journey's services send when something an integrator may subscribe to happens.

Services send it inside their transaction; linkwork.webhooks.services receives it and creates the
deliveries only after that transaction commits, so a change that is rolled back notifies nobody.
Arguments: `event` (a `WebhookEvent` value) and `record` (the referral, episode or connection, which
has `organisation_id` and `person_id`).
"""

from django.dispatch import Signal

webhook_event = Signal()
