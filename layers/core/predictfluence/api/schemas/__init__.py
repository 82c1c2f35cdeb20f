"""Request and response models of the API (pydantic). The OpenAPI document is generated from them."""
