"""The rating pad (好差评): a small touch screen facing the citizen at one window."""
