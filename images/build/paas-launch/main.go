// paas-launch starts a process of an image built from a Dockerfile, which may have no shell at all
// (FROM scratch). It is the image's entrypoint; the platform passes the process type's command as one
// argument, e.g. `/server -port $PORT` or `./web "two words"`.
//
// A simple command (words, quotes, $VAR and ${VAR}, leading NAME=value assignments) is split and
// expanded here and exec'd directly, so it needs no shell and gets the signals itself. Anything else
// (pipes, &&, globs, redirections, ...) runs with /bin/sh -c when the image has /bin/sh, and is an
// error naming the problem when it has not. Several arguments are exec'd as they are.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

const shellOnly = "|&;<>()`*?[]~#\n"

// split parses a simple command into words and its leading assignments; ok is false when the command
// needs a shell.
func split(cmd string, getenv func(string) string) (words []string, ok bool) {
	var cur strings.Builder
	inWord, quoted := false, false
	flush := func() {
		// an unquoted expansion of an empty variable is no word at all, as in sh
		if inWord && (cur.Len() > 0 || quoted) {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord, quoted = false, false
	}
	expand := func(i int) (int, bool) { // cmd[i] == '$'
		if i+1 < len(cmd) && cmd[i+1] == '{' {
			end := strings.IndexByte(cmd[i+2:], '}')
			if end < 0 {
				return i, false
			}
			name := cmd[i+2 : i+2+end]
			if !isName(name) {
				return i, false
			}
			cur.WriteString(getenv(name))
			return i + 2 + end + 1, true
		}
		j := i + 1
		for j < len(cmd) && (cmd[j] == '_' || isAlnum(cmd[j])) {
			j++
		}
		if j == i+1 || !isName(cmd[i+1:j]) {
			return i, false
		}
		cur.WriteString(getenv(cmd[i+1 : j]))
		return j, true
	}
	for i := 0; i < len(cmd); {
		c := cmd[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
			i++
		case c == '\'':
			end := strings.IndexByte(cmd[i+1:], '\'')
			if end < 0 {
				return nil, false
			}
			cur.WriteString(cmd[i+1 : i+1+end])
			inWord, quoted = true, true
			i += end + 2
		case c == '"':
			inWord, quoted = true, true
			i++
			for {
				if i >= len(cmd) {
					return nil, false
				}
				d := cmd[i]
				if d == '"' {
					i++
					break
				}
				if d == '\\' && i+1 < len(cmd) && strings.IndexByte("\"\\$`", cmd[i+1]) >= 0 {
					cur.WriteByte(cmd[i+1])
					i += 2
					continue
				}
				if d == '`' {
					return nil, false
				}
				if d == '$' {
					next, ok := expand(i)
					if !ok {
						return nil, false
					}
					i = next
					continue
				}
				cur.WriteByte(d)
				i++
			}
		case c == '\\':
			if i+1 >= len(cmd) {
				return nil, false
			}
			cur.WriteByte(cmd[i+1])
			inWord = true
			i += 2
		case c == '$':
			next, ok := expand(i)
			if !ok {
				return nil, false
			}
			inWord = true
			i = next
		case strings.IndexByte(shellOnly, c) >= 0:
			return nil, false
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	flush()
	return words, len(words) > 0
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '_' && !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "paas-launch: "+format+"\n", args...)
	os.Exit(127)
}

func run(argv []string, env []string) {
	path := argv[0]
	if !strings.Contains(path, "/") {
		found, err := exec.LookPath(path)
		if err != nil {
			fail("%s: command not found in PATH", path)
		}
		path = found
	}
	err := syscall.Exec(path, argv, env)
	fail("cannot run %s: %v", argv[0], err)
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		fail("no command given")
	}
	if len(args) > 1 {
		run(args, os.Environ())
	}
	cmd := strings.TrimSpace(args[0])
	words, ok := split(cmd, os.Getenv)
	if ok {
		env := os.Environ()
		for len(words) > 1 {
			eq := strings.IndexByte(words[0], '=')
			if eq <= 0 || !isName(words[0][:eq]) {
				break
			}
			os.Setenv(words[0][:eq], words[0][eq+1:])
			env = append(env, words[0])
			words = words[1:]
		}
		run(words, env)
	}
	if _, err := os.Stat("/bin/sh"); err != nil {
		fail("this command needs a shell, and the image has no /bin/sh: %s", cmd)
	}
	run([]string{"/bin/sh", "-c", cmd}, os.Environ())
}
