"""Reports for the hall manager: the figures, their SQL, their files, and the rollups of closed
days."""
