from django.contrib.auth import views as auth_views
from django.urls import include, path

from linkwork.web import views
from linkwork.web.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("", include("linkwork.accounts.urls")),
    path("", include("linkwork.people.urls")),
    path("", include("linkwork.referrals.urls")),
    path("", include("linkwork.support.urls")),
    path("", include("linkwork.outcomes.urls")),
    path("", include("linkwork.networks.urls")),
    path("directory/", include("linkwork.directory.urls")),
    path("", include("linkwork.matching.urls_recommendations")),
    path("", include("linkwork.matching.urls_connections")),
    path("", include("linkwork.matching.urls_shortlists")),
    path("", include("linkwork.matching.urls_gaps")),
    path("audit/", include("linkwork.audit.urls")),
    path("reports/", include("linkwork.reporting.urls")),
    path("", include("linkwork.interop.urls_summary")),
    path("", include("linkwork.interop.urls_referral_import")),
    path("", include("linkwork.privacy.urls")),
    path("webhooks/", include("linkwork.webhooks.urls")),
]
