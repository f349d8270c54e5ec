"""What every part of the gateway stands on: its settings (config), the ASGI middleware, the error
table (errors), tokens (security), exact JSON (exactjson) and the Prometheus registry (metrics)."""
