"""Calendar connections (busy time in, bookings out, push watches) for every calendar kind, and per-provider iCal
feeds.

Each kind is a backend in ``backends/`` (the contract is ``backends/base.py``); the engine (``engine.py``,
``jobs.py``, ``connect.py``, ``push.py``, ``writeback.py``) owns every row. ``gateway`` is the only module that
imports the Google SDKs.
"""
