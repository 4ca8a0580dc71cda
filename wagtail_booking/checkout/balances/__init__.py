"""A booking's balance after the visit: what is still due (price + add-ons - deposit kept - balances paid), the
signed link the client pays it through (with an optional tip), and the basket lines the Oscar checkout charges.

``due`` is pure arithmetic; ``models`` holds the add-ons staff add and the tips clients give; ``services`` reads
and changes them under row locks; ``lines`` puts the balance and the tip in a basket and records them once paid.
"""
