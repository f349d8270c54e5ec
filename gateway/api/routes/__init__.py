"""The route modules, one per resource; gateway.api.main assembles them."""
