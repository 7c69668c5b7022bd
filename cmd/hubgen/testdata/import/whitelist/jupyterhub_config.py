# JupyterHub 1.x era config (made up for hubgen's tests)
import os

c = get_config()  # noqa
c.Authenticator.whitelist = {'feynman', 'noether', 'curie'}
c.Authenticator.admin_users = {'curie'}
c.JupyterHub.proxy_auth_token = '0bc02bede919e99a26de1e2a7a5aadfaf6228de836ec39a05a6c6942831d8fe5'
c.ConfigurableHTTPProxy.auth_token = '/srv/jupyterhub/proxy_auth_token'
c.Spawner.notebook_dir = '~/notebooks'


def make_dirs(spawner):
    os.makedirs(os.path.expanduser('~' + spawner.user.name) + '/notebooks', exist_ok=True)


c.Spawner.pre_spawn_hook = make_dirs
