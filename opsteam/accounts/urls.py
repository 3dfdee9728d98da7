from django.urls import path

from opsteam.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("tokens/", views.TokenListView.as_view(), name="token_list"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/grants/", views.RoleGrantAddView.as_view(), name="rolegrant_add"),
    path(
        "users/<int:pk>/grants/<int:grant_pk>/revoke/",
        views.RoleGrantRevokeView.as_view(),
        name="rolegrant_revoke",
    ),
]
