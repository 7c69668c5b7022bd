package schema

// SharedDomains finds the sites of one run that serve the same domain, and returns a problem at
// each later one's domain naming the first, and the indexes of every site involved (nil entries,
// sites that failed, are skipped). Several sites in one run are several servers (one directory
// each in a configuration repository); a domain name reaches one of them, so the other hub could
// never be reached, and both would ask Let's Encrypt for the same certificate. Ports are not
// compared: two servers may both listen on 443.
func SharedDomains(sites []*Site) (clash []int, problems Problems) {
	first := map[string]int{}
	involved := map[int]bool{}
	for i, s := range sites {
		if s == nil {
			continue
		}
		j, seen := first[s.Domain]
		if !seen {
			first[s.Domain] = i
			continue
		}
		involved[i], involved[j] = true, true
		other := sites[j]
		at := other.pos.valuePos("domain")
		c := &checker{file: s.Source, pos: s.pos}
		c.atValue("domain", "%q is also the domain of %s:%d:%d (one domain name reaches one server: give each course its own domain, or render the two sites in separate runs)",
			s.Domain, other.Source, at.Line, at.Col)
		problems = append(problems, c.problems...)
	}
	for i := range sites {
		if involved[i] {
			clash = append(clash, i)
		}
	}
	return clash, problems
}
