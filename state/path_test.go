package state

import "testing"

func TestResolvePath(t *testing.T) {
	tests := []struct {
		name       string
		flag       string
		settings   string
		env        []string
		wantPath   string
		wantSource string
	}{
		{"flag wins over everything", "/f/s.db", "/set/s.db",
			[]string{"SESSCTL_STATE=/env/s.db", "XDG_STATE_HOME=/xdg", "HOME=/home/u"}, "/f/s.db", SourceFlag},
		{"env wins over settings", "", "/set/s.db",
			[]string{"SESSCTL_STATE=/env/s.db", "XDG_STATE_HOME=/xdg", "HOME=/home/u"}, "/env/s.db", SourceEnv},
		{"settings wins over default", "", "/set/s.db",
			[]string{"XDG_STATE_HOME=/xdg", "HOME=/home/u"}, "/set/s.db", SourceSettings},
		{"empty env value is unset", "", "/set/s.db",
			[]string{"SESSCTL_STATE=", "HOME=/home/u"}, "/set/s.db", SourceSettings},
		{"xdg default", "", "",
			[]string{"XDG_STATE_HOME=/xdg", "HOME=/home/u"}, "/xdg/sessctl/state.db", SourceXDG},
		// XDG Base Directory Specification 0.8: relative paths in these
		// variables are invalid and must be ignored.
		{"relative xdg ignored", "", "",
			[]string{"XDG_STATE_HOME=rel/state", "HOME=/home/u"}, "/home/u/.local/state/sessctl/state.db", SourceHome},
		{"empty xdg falls back to home", "", "",
			[]string{"XDG_STATE_HOME=", "HOME=/home/u"}, "/home/u/.local/state/sessctl/state.db", SourceHome},
		{"first occurrence wins like os.Getenv", "", "",
			[]string{"XDG_STATE_HOME=/a", "XDG_STATE_HOME=/b"}, "/a/sessctl/state.db", SourceXDG},
		{"paths are cleaned", "/f//x/../s.db", "", nil, "/f/s.db", SourceFlag},
		{"relative flag kept relative", "s.db", "", nil, "s.db", SourceFlag},
		{"nothing at all", "", "", nil, "", SourceHome},
		{"value with equals sign", "", "", []string{"SESSCTL_STATE=/a=b/s.db"}, "/a=b/s.db", SourceEnv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, src := ResolvePath(tt.flag, tt.settings, tt.env)
			if p != tt.wantPath || src != tt.wantSource {
				t.Errorf("ResolvePath = %q, %q; want %q, %q", p, src, tt.wantPath, tt.wantSource)
			}
		})
	}
}

func TestNewRejectsBadPath(t *testing.T) {
	for _, p := range []string{"", "/tmp/a\x00b"} {
		if _, err := New(p, nil); err == nil {
			t.Errorf("New(%q) succeeded", p)
		}
	}
}
