"""critic."""
