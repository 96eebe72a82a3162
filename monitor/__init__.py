"""The hall manager's live monitor (全程监管): every queue, every window, and the alarms."""
