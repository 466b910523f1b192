"""Account pages, mounted at /accounts/ (namespace "accounts")."""

from django.urls import path

from . import views
from .contact import EMAIL, PHONE

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    # Everything under verify/ and 2fa/ stays reachable for half-signed-in sessions (middleware).
    path("verify/", views.verify, name="verify"),
    path("verify/resend/", views.verify_resend, name="verify_resend"),
    path("verify/change/", views.verify_change, name="verify_change"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/", views.profile_contact, {"channel": EMAIL}, name="profile_email"),
    path("profile/phone/", views.profile_contact, {"channel": PHONE}, name="profile_phone"),
    path("profile/nik/", views.profile_nik, name="profile_nik"),
    path("profile/nik/reveal/", views.profile_nik_reveal, name="profile_nik_reveal"),
    path("profile/password/", views.profile_password, name="profile_password"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/", views.my_data_download, name="my_data_download"),
    path("my-data/delete/", views.account_delete, name="delete"),
]
