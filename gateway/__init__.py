"""pgQueue's HTTP gateway: the documented routes over the `pgq` SQL API."""
