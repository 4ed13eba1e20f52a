"""The municipality this deployment serves: its contact details and the pack it was loaded from."""
