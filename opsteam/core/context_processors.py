from opsteam.core import policy
from opsteam.core.navigation import menu_for


def navigation(request):
    """Expose the menu and the user's roles to every template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_menu": menu_for(user, request.path),
        "user_roles": sorted(role.value for role in policy.user_roles(user)),
    }
