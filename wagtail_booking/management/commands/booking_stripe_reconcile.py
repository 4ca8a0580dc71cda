"""Compare our payment records with Stripe, per account (the platform's own and each business's connected one):
money captured, refunded and the platform's fees. Exits with an error when anything differs."""

from django.core.management.base import BaseCommand, CommandError

from ...checkout.reconcile import reconcile


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        rows = reconcile()
        for row in rows:
            account = row.account or "platform account"
            self.stdout.write(
                f"{account} ({row.currency.upper()}, {row.payments} payments): captured {row.captured} "
                f"(Stripe {row.stripe_captured}), refunded {row.refunded} (Stripe {row.stripe_refunded}), platform "
                f"fees {row.fees} (Stripe {row.stripe_fees}, of which refunded {row.stripe_fees_refunded}): "
                + ("agrees" if row.agrees else "DIFFERS for " + ", ".join(row.differing or ["the totals"])))
        if not rows:
            self.stdout.write("No payments have reached Stripe yet.")
        if any(not row.agrees for row in rows):
            raise CommandError("Our records and Stripe differ; see the lines marked DIFFERS.")
