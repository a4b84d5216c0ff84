from tests.service.test_real_server import server  # noqa: F401  (a live service for notebook 03)
