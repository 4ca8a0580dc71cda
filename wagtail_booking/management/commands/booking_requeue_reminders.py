"""Schedule again the reminders of every upcoming confirmed booking (after an upgrade that renamed the reminder
task, or after losing Redis, which holds the scheduled reminders). Safe to run any number of times: a reminder is
recorded when it is sent, so none goes out twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from ...bookings.models import Booking
from ...notifications.sending import sync_reminders
from ...notifications.tasks import send_reminder_task


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        upcoming = Booking.objects.filter(status=Booking.Status.CONFIRMED, start__gt=timezone.now()).order_by("pk")
        count = scheduled = 0
        for booking_id in upcoming.values_list("pk", flat=True).iterator():
            scheduled += len(sync_reminders(booking_id, None, send_reminder_task))
            count += 1
        self.stdout.write(f"Scheduled {scheduled} reminders for {count} upcoming confirmed bookings.")
