# A course hub set up by hand (made up for hubgen's tests)
c = get_config()  # noqa
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = 8000
c.JupyterHub.db_url = 'sqlite:////opt/jupyterhub/state/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = '/opt/jupyterhub/state/jupyterhub_cookie_secret'
c.Authenticator.admin_users = {'hopper'}
c.Authenticator.allowed_users = {'hopper', 'ada', 'grace'}
c.Spawner.cmd = ['/opt/jupyterhub/bin/jupyterhub-singleuser']
c.Spawner.default_url = '/lab'
c.Spawner.mem_limit = '2G'
c.JupyterHub.shutdown_on_logout = True
