"""API token authentication with the standard `Authorization: Bearer <token>` header."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"
