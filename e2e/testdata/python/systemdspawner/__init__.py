"""A stand-in for jupyterhub-systemdspawner's module, for hubgen's tests only.

Debian packages no SystemdSpawner and the test machines reach no PyPI; nor do they run systemd as
PID 1, so the real spawner could not start a server here anyway. This module only gives
JupyterHub an importable ``systemdspawner.SystemdSpawner``, so that it loads a rendered config
that names the class by its full path. The limits it is configured with are not declared here:
like the real SystemdSpawner (1.0), it takes ``mem_limit`` (a ByteSpecification) and
``cpu_limit`` (a Float) from JupyterHub's own ``Spawner``, whose traits check the values.
"""

from jupyterhub.spawner import Spawner


class SystemdSpawner(Spawner):
    """Declares no trait: every trait a test reads is JupyterHub's. It cannot spawn."""

    async def start(self):
        raise NotImplementedError("a test stand-in: install jupyterhub-systemdspawner")

    async def stop(self, now=False):
        raise NotImplementedError("a test stand-in: install jupyterhub-systemdspawner")

    async def poll(self):
        return 1  # never running
