"""JupyterHub's configuration file for ``aidojo hub`` (``jupyterhub -f`` this file).

The settings of this run are in the JSON file named by ``AIDOJO_HUB_SETTINGS`` (written by ``aidojo hub``);
everything else comes from :func:`aidojo.hub.jhconfig.configure`.
"""

import os
from pathlib import Path

from aidojo.hub.jhconfig import configure
from aidojo.hub.settings import HubSettings

c = get_config()  # noqa: F821  (provided by JupyterHub)
configure(c, HubSettings.model_validate_json(Path(os.environ["AIDOJO_HUB_SETTINGS"]).read_text(encoding="utf-8")))
