"""pgQueue's HTTP gateway: the documented routes over the `pgq` SQL API, laid out as FastAPI's
full-stack template lays out its backend:

- app.py: the factory, `uvicorn --factory gateway.app:create_app`;
- api/: the shared dependencies (deps), the route modules (routes/), their assembly (main), OpenAPI;
- core/: settings (config), the middleware, the error table, tokens (security), exact JSON, metrics;
- db/: the two backends and their long-polling watchers, the wait loop, the enqueue coalescer;
- bounds.py: every input bound, as pgq.limits() states it; models.py: the request and answer bodies."""
