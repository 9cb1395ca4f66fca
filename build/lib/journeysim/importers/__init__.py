"""Importers of journey definitions exported from marketing platforms."""
