"""Staff accounts may do nothing but finish their two-factor sign-in."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

ALLOWED_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz/", "/accounts/2fa/", "/accounts/logout/", "/jsi18n/")


class StaffTwoFactorMiddleware:
    """A staff account signed in with a password alone is sent to the 2FA step."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "is_staff_member", False)
            and not user.is_verified()
            and not request.path.startswith(ALLOWED_PREFIXES)
            # Token-authenticated API clients are handled by the API's own permission.
            and not request.META.get("HTTP_AUTHORIZATION")
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "error": {
                            "code": "two_factor_required",
                            "message": gettext("Finish the two-step verification first."),
                            "fields": {},
                        }
                    },
                    status=403,
                )
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
