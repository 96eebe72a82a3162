"""The hall server (FastAPI on uvicorn): the citizen's ticket page, the browser board, the read
API, health and metrics. ``mashangban serve`` starts it (server.launch)."""
