"""Residents: who follows the account, their area and consent, and deleting their data."""
