# GitHub OAuth with the client secret pasted in (made up for hubgen's tests; the secret is fake)
c = get_config()  # noqa
c.JupyterHub.authenticator_class = 'oauthenticator.github.LocalGitHubOAuthenticator'
c.GitHubOAuthenticator.oauth_callback_url = 'https://py.example.org/hub/oauth_callback'
c.GitHubOAuthenticator.client_id = 'Iv1.0123456789abcdef'
c.GitHubOAuthenticator.client_secret = 'f00dfacef00dfacef00dfacef00dfacef00dface'
c.GitHubOAuthenticator.allowed_organizations = {'py-2027'}
c.LocalGitHubOAuthenticator.create_system_users = True
c.Authenticator.admin_users = {'octoprof'}
c.Authenticator.allowed_users = {'kendra-codes'}
c.JupyterHub.cookie_secret = bytes.fromhex('c0ffee' * 10)
c.Spawner.cmd = ['/opt/conda/bin/jupyterhub-singleuser']
