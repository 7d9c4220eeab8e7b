"""The HTTP face: FastAPI app, REST routes under /api and the SPARQL 1.1 endpoint."""
