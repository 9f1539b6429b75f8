from propdesk.core.permissions import Perm, has_perm, is_owner_account


class _PermLookup:
    """Lets templates ask `{% if perms_for.registry_edit %}` without knowing the roles."""

    def __init__(self, user):
        self._user = user

    def __getitem__(self, name: str) -> bool:
        try:
            return has_perm(self._user, Perm[name.upper()])
        except KeyError:
            return False


def console(request):
    user = getattr(request, "user", None)
    return {"can": _PermLookup(user), "is_owner_account": is_owner_account(user)}
