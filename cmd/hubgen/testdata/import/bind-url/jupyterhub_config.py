# JupyterHub 1.0+ style, bind_url with a path (made up for hubgen's tests)
c = get_config()  # noqa
c.JupyterHub.bind_url = 'http://127.0.0.1:8100/engr101/'
c.JupyterHub.hub_bind_url = 'http://127.0.0.1:8181'
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:8101'
c.JupyterHub.load_roles = [{'name': 'admin', 'users': ['prof']}]
c.Authenticator.allowed_users = {'kendra', 'sam'}
c.Spawner.cmd = ['/usr/bin/jupyterhub-singleuser']
c.JupyterHub.services = [
    {
        'name': 'idle-culler',
        'command': ['python3', '-m', 'jupyterhub_idle_culler', '--timeout=3600'],
        'admin': True,
    }
]
