"""全程监管: the audit of the record, its witness outside the database, ratings and their
rectifications, cases with their promised dates, and the pickup of finished cases."""
