"""Clerks: their logins and pauses at windows, their PINs, and the locks after wrong PINs."""
