"""Tax arithmetic lives in the pure core (``scheduling.tax``) so that a booking can say what its client pays; the
checkout's strategy and the tests import it from here too."""

from ..scheduling.tax import rate_of, split_tax

__all__ = ["rate_of", "split_tax"]
