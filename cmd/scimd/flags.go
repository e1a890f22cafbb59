package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// envString is a string flag that falls back to an environment variable:
// a flag given on the command line beats the variable, which beats the
// default. The variable is read after parsing rather than used as the
// flag's default so that --help never prints its value (a database URL
// may hold a password).
type envString struct {
	name, env string
	dst       *string
}

// flagSet is a flag.FlagSet with variables behind some of its flags.
type flagSet struct {
	*flag.FlagSet
	cmd      string // "tenant create", for messages
	synopsis string // "tenant create SLUG [flags]"
	envs     []envString
}

// newFlagSet returns a flag set for cmd whose usage starts with synopsis.
// flag's own output is discarded: parse turns its errors into one line,
// and --help prints usage where run asks.
func newFlagSet(cmd, synopsis string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(cmd, flag.ContinueOnError), cmd: cmd, synopsis: synopsis}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// stringEnv defines a string flag --name backed by the variable env.
func (fs *flagSet) stringEnv(dst *string, name, env, def, usage string) {
	fs.StringVar(dst, name, def, usage+" (env "+env+")")
	fs.envs = append(fs.envs, envString{name: name, env: env, dst: dst})
}

// errHelpShown means --help was asked for and usage was printed: the
// command is done, successfully. run turns it into nil.
var errHelpShown = errors.New("help shown")

// parse parses args, flags before and after positional arguments alike
// ("tenant create acme --seats 5"): it parses, sets the first positional
// aside, and parses the rest again. After "--" everything is positional.
// It then fills flags not given from the environment. For --help it
// prints usage to stdout and returns errHelpShown.
func (fs *flagSet) parse(args []string, env *env) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.usage(env.stdout)
				return nil, errHelpShown
			}
			// flag's messages are one line ("flag provided but not
			// defined: -x"); name the command and where help is.
			return nil, fmt.Errorf("%s: %v (see scimd %s --help)", fs.cmd, err, fs.cmd)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, e := range fs.envs {
		if v := env.getenv(e.env); !given[e.name] && v != "" {
			*e.dst = v
		}
	}
	return pos, nil
}

// usage writes the command's synopsis and flags.
func (fs *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: scimd %s\n", fs.synopsis)
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}

// wantArgs checks the number of positional arguments.
func (fs *flagSet) wantArgs(pos []string, names ...string) error {
	if len(pos) == len(names) {
		return nil
	}
	if len(names) == 0 {
		return fmt.Errorf("%s takes no arguments, got %q (see scimd %s --help)", fs.cmd, strings.Join(pos, " "), fs.cmd)
	}
	if len(pos) < len(names) {
		return fmt.Errorf("%s needs %s (see scimd %s --help)", fs.cmd, strings.Join(names[len(pos):], " "), fs.cmd)
	}
	return fmt.Errorf("%s takes %s, got %d arguments: %q (see scimd %s --help)",
		fs.cmd, strings.Join(names, " "), len(pos), strings.Join(pos, " "), fs.cmd)
}
