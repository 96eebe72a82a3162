"""The queue operations: taking numbers, calling, serving, the order rules, the day's end."""
