package schema

// maxNesting is how deep arrays and inline tables may nest. A site file needs two levels; the
// TOML decoder takes time that grows faster than the square of the depth (10,000 nested inline
// tables, a 40 kB file, take a minute), so deeper files are refused before decoding.
const maxNesting = 32

// tooDeep returns the offset of the first "[" or "{" that opens a level deeper than maxNesting,
// or -1. It skips comments and the four kinds of TOML string, so brackets in values do not count.
func tooDeep(data []byte) int {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case '"', '\'':
			i = stringEnd(data, i)
		case '[', '{':
			depth++
			if depth > maxNesting {
				return i
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return -1
}

// stringEnd returns the offset of the last byte of the string that starts at data[i].
func stringEnd(data []byte, i int) int {
	quote := data[i]
	multi := i+2 < len(data) && data[i+1] == quote && data[i+2] == quote
	if multi {
		i += 3
	} else {
		i++
	}
	for ; i < len(data); i++ {
		switch {
		case data[i] == '\\' && quote == '"':
			i++
		case data[i] == '\n' && !multi:
			return i
		case data[i] == quote && !multi:
			return i
		case data[i] == quote && i+2 < len(data) && data[i+1] == quote && data[i+2] == quote:
			// Up to two more quotes before the closing three belong to the string.
			for i+3 < len(data) && data[i+3] == quote {
				i++
			}
			return i + 2
		}
	}
	return len(data)
}
