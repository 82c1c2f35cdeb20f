from tests.cognito_pool import cognito, moto_endpoint  # noqa: F401 - fixtures
