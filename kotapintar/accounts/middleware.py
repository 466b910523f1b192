"""Gates of a signed-in session that has not finished signing in.

- A staff account signed in with a password alone may do nothing but the two-factor step
  (this covers the Django admin as well).
- A resident who has not yet confirmed their email/phone is sent to the verification page.
- An account created with a generated password (by an administrator) chooses its own
  password first: everything but the profile page answers with a redirect there.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from kotapintar.core.api.errors import error_body

ALWAYS_ALLOWED = ("/static/", "/media/", "/i18n/", "/healthz/", "/accounts/logout/", "/jsi18n/")
TWO_FACTOR_PREFIX = "/accounts/2fa/"
VERIFY_PREFIX = "/accounts/verify/"
PROFILE_PREFIX = "/accounts/profile/"


def _api_refusal(code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=403)


def _redirect(url_name: str, request):
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


class StaffTwoFactorMiddleware:
    """Send half-signed-in sessions to the step they still have to finish."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path
        if (
            user is None
            or not user.is_authenticated
            or path.startswith(ALWAYS_ALLOWED)
            # Token-authenticated API clients are handled by the API's own checks.
            or request.META.get("HTTP_AUTHORIZATION")
        ):
            return self.get_response(request)
        if getattr(user, "is_staff_member", False):
            if not user.is_verified():
                if not path.startswith(TWO_FACTOR_PREFIX):
                    if path.startswith("/api/"):
                        return _api_refusal("two_factor_required", gettext("Finish the two-step verification first."))
                    return _redirect("accounts:two_factor", request)
            # Past the second factor: a temporary password is replaced before anything else.
            elif getattr(user, "must_change_password", False) and not path.startswith(PROFILE_PREFIX):
                if path.startswith("/api/"):
                    return _api_refusal(
                        "password_change_required", gettext("Choose your own password on the website first.")
                    )
                return redirect(reverse("accounts:profile") + "#password-heading")
        elif not getattr(user, "is_contact_verified", True) and not path.startswith(VERIFY_PREFIX):
            if path.startswith("/api/"):
                return _api_refusal(
                    "verification_required", gettext("Confirm your email address or phone number first.")
                )
            return _redirect("accounts:verify", request)
        return self.get_response(request)
