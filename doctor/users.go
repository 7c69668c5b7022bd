package doctor

import (
	"fmt"
	"strings"

	"github.com/hubgen/hubgen/internal/shell"
	"github.com/hubgen/hubgen/render"
	"github.com/hubgen/hubgen/schema"
)

// checkUsers: the PAM authenticator logs people in as system users and spawns each server as its
// user, so every admin and allowed user needs an account on this machine.
func checkUsers(site *schema.Site, sys System, _ *facts) Result {
	r := Result{Name: "users"}
	if site.Auth.HubMakesAccounts() {
		r.Detail = fmt.Sprintf("auth.type = %q: the hub makes each admin's and allowed user's system account itself (create_system_users)", site.Auth.Type)
		return r
	}
	// The users the rendered allowed_users lets in, exactly.
	all := render.AllowedUsers(site.Users)
	var missing []string
	for _, name := range all {
		ok, err := sys.LookupUser(name)
		if err != nil {
			return fail(r, fmt.Sprintf("cannot look up user %s: %v", name, err), "")
		}
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		// hubgen accounts makes them with passwords and remembers them, so that it can lock them
		// when the site drops them; accounts made by hand it never touches. The passwords file is
		// created new, never overwritten. (accounts has no --root: it acts on this machine.)
		fix := "hubgen accounts " + shell.Quote(sys.Site) + " --apply --passwords new-accounts.csv"
		if sys.Root != "" && sys.Root != "/" {
			fix = "# on the server itself: " + fix
		}
		return fail(r, fmt.Sprintf("%d of %d users have no system account: %s (PAM cannot log them in)", len(missing), len(all), strings.Join(missing, ", ")), fix)
	}
	r.Detail = fmt.Sprintf("all %d admin and allowed users have system accounts", len(all))
	return r
}
