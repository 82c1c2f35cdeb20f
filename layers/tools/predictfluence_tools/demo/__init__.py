"""Synthetic demo data (dev / demo tool; uses numpy, so the API path never imports this package)."""
