"""Oscar's own partner migrations: this fork only changes the pricing strategy, its tables are Oscar's.

The package's path is Oscar's migrations folder, so migrations Oscar adds in a release are picked up without
copying them here, and a database that ran Oscar's partner app needs nothing new.
"""

from oscar.apps.partner import migrations as _oscar_migrations

__path__ = _oscar_migrations.__path__
