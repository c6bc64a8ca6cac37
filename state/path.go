package state

import (
	"path/filepath"
	"strings"
)

// Sources of the state path, as ResolvePath reports them. They are shown to
// users (`sessctl state show`), so they name what the user set.
const (
	SourceFlag     = "--state flag"
	SourceEnv      = "SESSCTL_STATE"
	SourceSettings = "settings block (sessctl { state = ... })"
	SourceXDG      = "default ($XDG_STATE_HOME/sessctl/state.db)"
	SourceHome     = "default (~/.local/state/sessctl/state.db)"
)

// EnvState is the environment variable that overrides the state path when
// the --state flag is not given.
const EnvState = "SESSCTL_STATE"

// ResolvePath picks the state file path. Precedence, first non-empty wins:
// the --state flag, $SESSCTL_STATE, the `state` attribute of the settings
// block, then the default $XDG_STATE_HOME/sessctl/state.db, falling back to
// $HOME/.local/state/sessctl/state.db. env is in os.Environ form
// ("KEY=value"); the first occurrence of a key wins, as with os.Getenv.
//
// Following the XDG Base Directory Specification (0.8, "Environment
// variables"), an XDG_STATE_HOME that is not absolute is ignored. A
// relative flag or SESSCTL_STATE path is relative to the working
// directory; a relative settings path must be resolved by the caller
// against the configuration directory before it is passed here. No "~"
// expansion is done: that is the shell's job.
//
// When nothing is set and HOME is empty too, path is "" and New reports the
// problem.
func ResolvePath(flag, settings string, env []string) (path string, source string) {
	switch {
	case flag != "":
		return filepath.Clean(flag), SourceFlag
	case lookupEnv(env, EnvState) != "":
		return filepath.Clean(lookupEnv(env, EnvState)), SourceEnv
	case settings != "":
		return filepath.Clean(settings), SourceSettings
	}
	if x := lookupEnv(env, "XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "sessctl", "state.db"), SourceXDG
	}
	if h := lookupEnv(env, "HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "sessctl", "state.db"), SourceHome
	}
	return "", SourceHome
}

// lookupEnv returns the value of the first "key=" entry in env.
func lookupEnv(env []string, key string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
