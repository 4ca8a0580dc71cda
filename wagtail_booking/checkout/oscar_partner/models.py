from oscar.apps.partner.models import *  # noqa: F403 - Oscar's forking pattern: the tables stay Oscar's own
