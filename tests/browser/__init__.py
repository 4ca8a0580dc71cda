"""End-to-end tests that drive a real (headless) browser against a live server."""
