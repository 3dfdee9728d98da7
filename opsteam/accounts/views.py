"""Login (throttled), logout, password, preferences, API tokens, users and role grants."""

import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from opsteam.accounts import services
from opsteam.accounts.choices import SecurityEventKind
from opsteam.accounts.forms import PreferencesForm, RoleGrantForm, TokenCreateForm
from opsteam.accounts.middleware import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from opsteam.accounts.models import ApiToken, RoleGrant, User
from opsteam.core import policy
from opsteam.core.middleware import client_address
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView


class LoginView(auth_views.LoginView):
    """Django's login with throttling per (username, address) and a security log.

    After OPSTEAM_LOGIN_MAX_FAILURES failures the pair must wait the cool-off (HTTP 429);
    the account itself is never locked, so nobody can lock a colleague out.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        address = client_address(request)
        if services.login_is_throttled(username=username, remote_addr=address):
            services.security_event_record(
                kind=SecurityEventKind.LOGIN_THROTTLED,
                username=username,
                remote_addr=address,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            html = render_to_string(
                self.template_name,
                {
                    "form": self.get_form(),
                    "throttled": True,
                },
                request=request,
            )
            return HttpResponse(html, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SESSION_SIGNED_IN_AT] = time.time()
        self.request.session[SESSION_LAST_SEEN] = time.time()
        services.session_register(
            user=form.get_user(),
            session_key=self.request.session.session_key,
            remote_addr=client_address(self.request),
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )
        services.security_event_record(
            kind=SecurityEventKind.LOGIN_SUCCEEDED,
            username=form.get_user().username,
            user=form.get_user(),
            remote_addr=client_address(self.request),
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )
        user = form.get_user()
        if user.language:
            from django.conf import settings

            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                samesite="Lax",
                httponly=True,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response

    def form_invalid(self, form):
        services.security_event_record(
            kind=SecurityEventKind.LOGIN_FAILED,
            username=self.request.POST.get("username", ""),
            remote_addr=client_address(self.request),
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.security_event_record(
                kind=SecurityEventKind.LOGOUT,
                username=request.user.username,
                user=request.user,
                remote_addr=client_address(request),
            )
            # Logging out signs the person out everywhere and revokes their API tokens.
            services.user_sign_out_everywhere(user=request.user)
        return super().post(request, *args, **kwargs)


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("insights:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Django gave this browser a new session key; remember it for "sign out everywhere".
        services.session_register(
            user=self.request.user,
            session_key=self.request.session.session_key,
            remote_addr=client_address(self.request),
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )
        services.security_event_record(
            kind=SecurityEventKind.PASSWORD_CHANGED,
            username=self.request.user.username,
            user=self.request.user,
            remote_addr=client_address(self.request),
        )
        messages.success(self.request, _("Your password was changed."))
        return response

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form


class PreferencesView(View):
    template_name = "accounts/preferences.html"

    def get(self, request):
        form = PreferencesForm(
            initial={"language": request.user.language, "time_zone": request.user.time_zone}
        )
        return render(request, self.template_name, {"form": form, "title": _("Preferences")})

    def post(self, request):
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return render(
                request, self.template_name, {"form": form, "title": _("Preferences")}, status=400
            )
        services.user_set_preferences(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Preferences saved."))
        response = redirect("accounts:preferences")
        from django.conf import settings

        if form.cleaned_data["language"]:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                form.cleaned_data["language"],
                samesite="Lax",
                httponly=True,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response


class TokenListView(PolicyMixin, View):
    template_name = "accounts/token_list.html"

    def context(self, form, secret=None):
        tokens = ApiToken.objects.restrict(self.request.user, "view").filter(user=self.request.user)
        return {"form": form, "tokens": tokens, "secret": secret, "title": _("API tokens")}

    def get(self, request):
        return render(request, self.template_name, self.context(TokenCreateForm()))

    def post(self, request):
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        _token, secret = services.api_token_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        return render(request, self.template_name, self.context(TokenCreateForm(), secret=secret))


class TokenRevokeView(PolicyMixin, View):
    def post(self, request, pk):
        token = policy.scoped_get(ApiToken.objects.all(), request.user, "delete", pk=pk)
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("Token revoked."))
        return redirect("accounts:token_list")


USER_TABLE = Table(
    columns=(
        Column("username", gettext_lazy("Username"), order_by="username", link=True),
        Column("display", gettext_lazy("Name"), accessor=lambda u: str(u)),
        Column(
            "roles",
            gettext_lazy("Roles"),
            accessor=lambda u: ", ".join(
                str(grant.get_role_display()) + (f" ({grant.unit})" if grant.unit_id else "")
                for grant in u.role_grants.all()
            ),
        ),
        Column("is_active", gettext_lazy("Active"), order_by="is_active"),
        Column("last_login", gettext_lazy("Last login"), order_by="last_login"),
    ),
    default_order="username",
)


class UserListView(ScopedListView):
    model = User
    table = USER_TABLE
    title = gettext_lazy("Users and roles")
    export_stem = "users"

    def base_queryset(self, action="view"):
        return super().base_queryset(action).prefetch_related("role_grants__unit")

    def export_queryset(self, queryset):
        return queryset.prefetch_related("role_grants__unit")


class UserDetailView(ScopedDetailView):
    model = User
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=str(self.object),
            grants=self.object.role_grants.select_related("unit"),
            form=RoleGrantForm(),
            can_grant=policy.can(self.request.user, "add", RoleGrant),
        )
        return context


class RoleGrantAddView(PolicyMixin, View):
    def post(self, request, pk):
        user = policy.scoped_get(User.objects.all(), request.user, "view", pk=pk)
        form = RoleGrantForm(request.POST)
        if form.is_valid():
            services.role_grant_add(actor=request.user, user=user, **form.cleaned_data)
            messages.success(request, _("Role granted."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("accounts:user_detail", pk=user.pk)


class RoleGrantRevokeView(PolicyMixin, View):
    def post(self, request, pk, grant_pk):
        grant = get_object_or_404(
            RoleGrant.objects.restrict(request.user, "view"), pk=grant_pk, user_id=pk
        )
        services.role_grant_revoke(actor=request.user, grant=grant)
        messages.success(request, _("Role revoked."))
        return redirect("accounts:user_detail", pk=pk)
