"""Zero to JupyterHub (Kubernetes) values from the same settings as ``aidojo hub``.

The hub image must contain this kit (``pip install aidojo``) because the AI gateway runs inside the hub pod as
a managed service (port 8181, reachable from user pods as ``http://hub:8181``). The city's key is a Kubernetes
Secret mounted as the gateway's env file in the hub pod only. The values are checked against
``aidojo/hub/z2jh-values.schema.json``: the z2jh keys we set, written from the z2jh configuration reference,
with unknown keys refused so that a typo fails the test instead of being ignored by Helm.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from aidojo.hub.accounts import Account
from aidojo.hub.settings import SERVICE_NAME, HubSettings

SCHEMA_FILE = Path(__file__).with_name("z2jh-values.schema.json")
GATEWAY_PORT = 8181
KEY_SECRET = "aidojo-gateway-env"
EXCHANGE_CLAIM = "aidojo-exchange"

EXTRA_CONFIG = '''# AI Dojo: each user's server reaches the AI gateway with its own hub token (never the city's key).
c.KubeSpawner.server_token_scopes = ["users:activity!user", "access:servers!server", "access:services!service={service}"]
c.KubeSpawner.environment.update({{"OPENAI_API_KEY": lambda spawner: spawner.api_token}})
'''

_AUTH_CLASS = {"passwords": "aidojo.hub.auth.ClassPasswordAuthenticator", "native": "aidojo.hub.auth.RosterNativeAuthenticator",
               "ldap": "aidojo.hub.auth.RosterLDAPAuthenticator"}


def _image(ref: str) -> dict:
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "latest")
    return {"name": name, "tag": tag}


def _auth_config(settings: HubSettings, accounts: list[Account]) -> dict:
    from aidojo.hub.auth import ldap_config

    allowed = sorted(a.staff_id for a in accounts)
    config: dict = {"JupyterHub": {"authenticator_class": _AUTH_CLASS[settings.auth]},
                    "Authenticator": {"admin_users": sorted(settings.trainers)}}
    if settings.auth == "passwords":
        config["Authenticator"]["allowed_users"] = allowed
        config["ClassPasswordAuthenticator"] = {"hub_dir": "/srv/jupyterhub"}
    elif settings.auth == "native":
        config["Authenticator"]["allow_all"] = True
        config["RosterNativeAuthenticator"] = {"roster_ids": allowed, "open_signup": False, "enable_signup": True,
                                               "minimum_password_length": 10}
    else:
        ldap = ldap_config(settings)
        ldap.pop("lookup_dn_search_password", None)  # from the hub's environment (a Secret), never in values
        config["Authenticator"]["allowed_users"] = allowed
        config["RosterLDAPAuthenticator"] = ldap
    return config


def helm_values(settings: HubSettings, accounts: list[Account], *, hub_image: str = "registry.city.example/aidojo-hub:1.0") -> dict:
    """The values.yaml content for the ``jupyterhub`` chart (z2jh 4.x)."""
    gateway_url = f"http://hub:{GATEWAY_PORT}/services/{SERVICE_NAME}"
    return {
        "hub": {
            "image": _image(hub_image),
            "config": _auth_config(settings, accounts),
            "services": {SERVICE_NAME: {"url": f"http://hub:{GATEWAY_PORT}", "display": False,
                                        "command": ["python", "-m", "aidojo.hub.gateway"]}},
            "loadRoles": {"user": {"scopes": ["self", f"access:services!service={SERVICE_NAME}"]}},
            "extraEnv": {"AIDOJO_COURSE_DIR": "/srv/aidojo/course", "AIDOJO_GATEWAY_ENV_FILE": "/etc/aidojo/gateway.env",
                         "AIDOJO_GATEWAY_SETTINGS": settings.gateway.model_dump_json(exclude={"env_file", "port"})},
            "extraVolumes": [{"name": "gateway-env", "secret": {"secretName": KEY_SECRET, "defaultMode": 0o400}}],
            "extraVolumeMounts": [{"name": "gateway-env", "mountPath": "/etc/aidojo", "readOnly": True}],
            "service": {"extraPorts": [{"name": "ai-gateway", "port": GATEWAY_PORT, "targetPort": GATEWAY_PORT}]},
            "networkPolicy": {"ingress": [{"ports": [{"port": GATEWAY_PORT}],
                                           "from": [{"podSelector": {"matchLabels": {"hub.jupyter.org/network-access-hub": "true"}}}]}]},
            "extraConfig": {"aidojo": EXTRA_CONFIG.format(service=SERVICE_NAME)},
        },
        "singleuser": {
            "image": _image(settings.image),
            "defaultUrl": "/lab",
            "memory": {"limit": settings.mem_limit, "guarantee": "512M"},
            "cpu": {"limit": settings.cpu_limit, "guarantee": 0.1},
            "extraEnv": {"AIDOJO_PROVIDER": "compatible", "OPENAI_BASE_URL": gateway_url + "/v1",
                         "GRADIO_ANALYTICS_ENABLED": "False"},
            "storage": {"capacity": settings.storage_capacity,
                        "extraVolumes": [{"name": "exchange", "persistentVolumeClaim": {"claimName": EXCHANGE_CLAIM}}],
                        "extraVolumeMounts": [{"name": "exchange", "mountPath": "/srv/nbgrader/exchange"}]},
        },
        "cull": {"enabled": True, "timeout": settings.cull_idle_minutes * 60, "every": settings.cull_every_seconds},
    }


def check_values(values: dict) -> list[str]:
    """Problems found by the schema (empty when the values are good), plus the extraConfig compiling."""
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    problems = [f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
                for e in jsonschema.Draft7Validator(schema).iter_errors(values)]
    for name, code in (values.get("hub", {}).get("extraConfig") or {}).items():
        try:
            compile(code, f"hub.extraConfig.{name}", "exec")
        except SyntaxError as exc:
            problems.append(f"hub.extraConfig.{name}: {exc}")
    return problems


def write_values(values: dict, out: Path) -> Path:
    from aidojo.fileio import atomic_write_text

    header = "# Zero to JupyterHub values for AI Dojo (aidojo hub helm-values). Steps: docs/trainer/hub.md\n"
    return atomic_write_text(out, header + yaml.safe_dump(values, allow_unicode=True, sort_keys=False))
