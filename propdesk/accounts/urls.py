from django.contrib.auth import views as auth_views
from django.urls import path

from propdesk.accounts import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/new/", views.api_token_create, name="api_token_create"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:user_id>/", views.staff_edit, name="staff_edit"),
]
