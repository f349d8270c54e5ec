"""The HTTP API: the shared dependencies (deps), one route module per resource (routes/), the
router assembly (main) and what /openapi.json says beyond the routes (openapi)."""
