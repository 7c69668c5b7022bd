package main

import (
	"fmt"
	"regexp"
	"strings"
)

// A value's placeholder in the help says what to complete: the synopsis lists choices
// ("text|github"); SITE is a site file; ROOT and DIR are directories; FILE is any file; COMMAND
// is a command name. Anything else (D, U, NAME: a domain, a user, a course) is not completed.
func completeValue(placeholder string) (kind string, words []string) {
	if strings.Contains(placeholder, "|") {
		return "words", strings.Split(placeholder, "|")
	}
	switch strings.ToUpper(placeholder) {
	case "SITE":
		return "toml", nil
	case "ROOT", "DIR":
		return "dirs", nil
	case "FILE":
		return "files", nil
	case "COMMAND":
		return "commands", nil
	}
	return "", nil
}

// word is what the completion script may put between single quotes without escaping.
var word = regexp.MustCompile(`^[A-Za-z0-9_.:+-]+$`)

// completion writes a bash completion script: the commands after "hubgen", each command's flags
// after a dash, each flag's value after the flag, and otherwise the command's positional
// arguments (site files for most).
func completion(h *help) (string, error) {
	var names []string
	for _, c := range h.commands {
		names = append(names, c.name)
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w(`# bash completion for hubgen(1): commands, each command's flags, and *.toml site files.`)
	w(`# Generated from "hubgen help" by packaging/helpdoc. Do not edit: change the help in cmd/hubgen.`)
	w(``)
	w(`# _hubgen_complete KIND CUR [WORD...] fills COMPREPLY: KIND is toml, dirs, files or words.`)
	w(`_hubgen_complete() {`)
	w(`    local kind=$1 cur=$2`)
	w(`    shift 2`)
	w(`    if [[ $kind == words ]]; then`)
	w(`        mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur")`)
	w(`        return`)
	w(`    fi`)
	w(`    # bash-completion's _filedir quotes names with spaces and expands ~; without it, compgen.`)
	w(`    if declare -F _filedir >/dev/null; then`)
	w(`        case $kind in`)
	w(`        toml) _filedir toml ;;`)
	w(`        dirs) _filedir -d ;;`)
	w(`        *) _filedir ;;`)
	w(`        esac`)
	w(`        return`)
	w(`    fi`)
	w(`    compopt -o filenames 2>/dev/null`)
	w(`    case $kind in`)
	w(`    toml) mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.toml' -- "$cur") ;;`)
	w(`    dirs) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;`)
	w(`    *) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;`)
	w(`    esac`)
	w(`}`)
	w(``)
	w(`_hubgen() {`)
	w(`    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}`)
	w(`    local commands=(%s)`, strings.Join(names, " "))
	w(`    COMPREPLY=()`)
	w(`    if ((COMP_CWORD == 1)); then`)
	w(`        _hubgen_complete words "$cur" "${commands[@]}"`)
	w(`        return 0`)
	w(`    fi`)
	w(`    local flags=() positional=''`)
	w(`    case ${COMP_WORDS[1]} in`)
	for _, c := range h.commands {
		w(`    %s)`, c.name)
		var spellings []string
		var valueCases []string
		for _, f := range c.flags {
			spellings = append(spellings, f.spelling)
			if f.arg == "" {
				continue
			}
			// The flag package takes -name and --name alike.
			pattern := "-" + f.name + " | --" + f.name
			kind, words := completeValue(f.arg)
			switch kind {
			case "":
				valueCases = append(valueCases, fmt.Sprintf("        %s) return 0 ;;", pattern))
			case "words":
				for _, x := range words {
					if !word.MatchString(x) {
						return "", fmt.Errorf("hubgen help %s: choice %q of %s cannot be completed", c.name, x, f.spelling)
					}
				}
				valueCases = append(valueCases, fmt.Sprintf(`        %s) _hubgen_complete words "$cur" %s; return 0 ;;`, pattern, strings.Join(words, " ")))
			case "commands":
				valueCases = append(valueCases, fmt.Sprintf(`        %s) _hubgen_complete words "$cur" "${commands[@]}"; return 0 ;;`, pattern))
			default:
				valueCases = append(valueCases, fmt.Sprintf(`        %s) _hubgen_complete %s "$cur"; return 0 ;;`, pattern, kind))
			}
		}
		if len(valueCases) > 0 {
			w(`        case $prev in`)
			for _, vc := range valueCases {
				w("%s", vc)
			}
			w(`        esac`)
		}
		kind, _ := completeValue(strings.TrimSuffix(c.positional, "..."))
		if kind == "words" {
			return "", fmt.Errorf("hubgen help %s: positional %q cannot be completed", c.name, c.positional)
		}
		w(`        flags=(%s) positional='%s'`, strings.Join(spellings, " "), kind)
		w(`        ;;`)
	}
	w(`    *) return 0 ;;`)
	w(`    esac`)
	w(`    if [[ $cur == -* ]]; then`)
	w(`        _hubgen_complete words "$cur" "${flags[@]}"`)
	w(`    elif [[ $positional == commands ]]; then`)
	w(`        _hubgen_complete words "$cur" "${commands[@]}"`)
	w(`    elif [[ -n $positional ]]; then`)
	w(`        _hubgen_complete "$positional" "$cur"`)
	w(`    fi`)
	w(`    return 0`)
	w(`}`)
	w(``)
	w(`complete -F _hubgen hubgen`)
	return b.String(), nil
}
