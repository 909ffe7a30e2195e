"""Which Studio experience a user profile opens: the new Studio, Studio Classic, both, or unknown.

Source (SageMaker API Reference, ``UserSettings``): ``StudioWebPortal`` (``ENABLED`` |
``DISABLED``: "Whether the user can access Studio. If this value is set to DISABLED, the user
cannot access Studio, even if that is the default experience for the domain") and
``DefaultLandingUri`` ("The default experience that the user is directed to when accessing the
domain": ``studio::`` is Studio, and "can only be passed if StudioWebPortal is set to ENABLED";
``app:JupyterServer:`` is Studio Classic). "For all other settings in UserSettings, the values
specified in CreateUserProfile take precedence over those specified in CreateDomain": a profile's
``UserSettings`` override the domain's ``DefaultUserSettings`` field by field.

Rules (issue "New Studio domains"), applied to the effective values:

- ``StudioWebPortal`` ENABLED and landing ``studio::`` -> ``"studio"``;
- ``StudioWebPortal`` DISABLED -> ``"classic"`` (whatever the landing page);
- ENABLED with a Classic landing page -> ``"both"`` (Studio Classic opens first; the Studio UI is
  one click away);
- anything else (a field not read) -> ``"unknown"``.

Readings taken (each the one that cannot hide a flow Studio needs): landing ``studio::`` with the
portal not read is ``"studio"`` (the API accepts ``studio::`` only with the portal ENABLED);
landing ``app:JupyterServer:`` with the portal not read is ``"unknown"``, not ``"classic"`` (the
portal may be enabled, and then Studio is one click away); ENABLED with no landing page read is
``"unknown"``. ``"both"`` and ``"unknown"`` are judged with both profiles (:func:`profiles_for`).

Pure: stdlib only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

EXPERIENCES = ("studio", "classic", "both", "unknown")

_FIELDS = {
    # snapshot spelling -> API spelling
    "studio_web_portal": "StudioWebPortal",
    "default_landing_uri": "DefaultLandingUri",
}


def _get(settings: Mapping | None, snake: str):
    if not isinstance(settings, Mapping):
        return None
    value = settings.get(snake)
    if value is None:
        value = settings.get(_FIELDS[snake])
    return value if isinstance(value, str) and value else None


def effective_settings(
    domain_default_settings: Mapping | None, user_settings: Mapping | None
) -> dict:
    """The profile's effective ``StudioWebPortal`` / ``DefaultLandingUri``.

    Args:
        domain_default_settings: the domain's ``DefaultUserSettings`` (API spelling
            ``StudioWebPortal``/``DefaultLandingUri``, or the snapshot's ``studio_web_portal``/
            ``default_landing_uri``), or None.
        user_settings: the profile's ``UserSettings`` in either spelling, or None.

    Returns:
        ``{"studio_web_portal": str | None, "default_landing_uri": str | None,
        "source": {"studio_web_portal": "user"|"domain"|None, "default_landing_uri": ...}}``.
    """
    out: dict = {"source": {}}
    for snake in _FIELDS:
        own = _get(user_settings, snake)
        dom = _get(domain_default_settings, snake)
        out[snake] = own if own is not None else dom
        out["source"][snake] = (
            "user" if own is not None else ("domain" if dom is not None else None)
        )
    return out


def experience_for(domain_default_settings: Mapping | None, user_settings: Mapping | None) -> str:
    """The experience a user profile opens (module docstring for the rules and readings).

    Args:
        domain_default_settings: the domain's ``DefaultUserSettings`` (either spelling) or None.
        user_settings: the profile's ``UserSettings`` (either spelling) or None (no override).

    Returns:
        ``"studio"`` | ``"classic"`` | ``"both"`` | ``"unknown"``.
    """
    eff = effective_settings(domain_default_settings, user_settings)
    portal = (eff["studio_web_portal"] or "").upper() or None
    uri = eff["default_landing_uri"]
    studio_landing = uri is not None and uri.startswith("studio::")
    if portal == "DISABLED":
        return "classic"
    if portal == "ENABLED":
        if studio_landing:
            return "studio"
        if uri is not None:
            # Classic or another app's landing page: the Studio UI is there too.
            return "both"
        return "unknown"
    if studio_landing:
        return "studio"
    return "unknown"


def explain_experience(
    domain_default_settings: Mapping | None, user_settings: Mapping | None
) -> str:
    """One line saying why :func:`experience_for` answered as it did (for reports)."""
    eff = effective_settings(domain_default_settings, user_settings)
    exp = experience_for(domain_default_settings, user_settings)
    parts = []
    for snake, api in _FIELDS.items():
        value = eff[snake]
        src = eff["source"][snake]
        if value is None:
            parts.append(f"{api} not read")
        else:
            parts.append(
                f"{api} {value!r} ({'user profile' if src == 'user' else 'domain default'})"
            )
    return f"{exp}: " + ", ".join(parts)


def profiles_for(experience: str) -> tuple[str, ...]:
    """The template profiles an experience is judged with.

    Returns:
        ``("studio",)``, ``("classic",)`` or ``("studio", "classic")`` (``both``/``unknown``).
    """
    if experience == "studio":
        return ("studio",)
    if experience == "classic":
        return ("classic",)
    return ("studio", "classic")


def combine(experiences: Iterable[str]) -> str:
    """One label for several profiles' experiences (a role or a domain).

    ``unknown`` if any is unknown; ``both`` if both profiles are needed; else the one experience;
    ``unknown`` for an empty input.
    """
    seen = set(experiences)
    if not seen or "unknown" in seen:
        return "unknown"
    if seen == {"studio"}:
        return "studio"
    if seen == {"classic"}:
        return "classic"
    return "both"


def snapshot_experiences(snapshot: Mapping) -> dict:
    """Experiences of a snapshot's domain and of each user profile.

    Reads ``snapshot["domain"]`` (``studio_web_portal``, ``default_landing_uri``: the domain's
    ``DefaultUserSettings``) and each ``snapshot["user_profiles"][i]`` (optional
    ``studio_web_portal``, ``default_landing_uri``: its own ``UserSettings``). Shared spaces
    (the ``default-space`` role) exist only in the new Studio: that role's use is ``"studio"``
    unless the domain's own experience is ``"classic"`` (SageMaker Developer Guide, "Amazon
    SageMaker Studio spaces").

    Returns:
        ``{"domain": str, "domain_detail": str, "profiles": {name: {"experience", "detail"}},
        "by_use": {used_by label: experience}}``.
    """
    dom = snapshot.get("domain") if isinstance(snapshot.get("domain"), Mapping) else {}
    d_exp = experience_for(dom, None)
    out = {
        "domain": d_exp,
        "domain_detail": explain_experience(dom, None),
        "profiles": {},
        # Shared spaces (the default space role) exist only in the new Studio; a domain whose
        # users only have Studio Classic has none in use.
        "by_use": {
            "domain-default": d_exp,
            "default-space": "classic" if d_exp == "classic" else "studio",
        },
    }
    for up in snapshot.get("user_profiles") or ():
        if not isinstance(up, Mapping) or not up.get("name"):
            continue
        own = None if up.get("complete") is False else up
        exp = experience_for(dom, own) if own is not None else "unknown"
        detail = (
            explain_experience(dom, own)
            if own is not None
            else "unknown: the user profile could not be read"
        )
        out["profiles"][up["name"]] = {"experience": exp, "detail": detail}
        out["by_use"][f"user-profile:{up['name']}"] = exp
    return out


def role_experience(used_by: Iterable[str], by_use: Mapping[str, str]) -> str:
    """The experience label of a role from the uses that name it (``used_by``)."""
    return combine(by_use.get(u, "unknown") for u in used_by)
