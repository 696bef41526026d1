"""The daily check-in: a day logged by buttons in the private chat, and quick reply keys."""
