"""Gift cards: stored-value codes sold through the Oscar checkout and spent on its payment page.

``codes`` and ``rules`` are plain functions (no database); ``models`` holds the card, its ledger and the holds that
reserve part of a balance for a basket; ``ledger`` is the only code that changes a balance (under the card's row
lock); ``tender`` plugs the cards into the checkout's payment page; ``selling`` and ``fulfil`` sell them.
"""
