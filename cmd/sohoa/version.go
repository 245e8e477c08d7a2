package main

import (
	"runtime/debug"
	"strings"
)

// Version is set at build time (-ldflags "-X main.Version=1.2.0"); without
// it, the version control revision the binary was built from is shown.
var Version = ""

// version is what `sohoa version`, /healthz and the start-up log say.
func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev, at string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev-" + rev[:min(12, len(rev))]
	if at != "" {
		v += " (" + strings.SplitN(at, "T", 2)[0] + ")"
	}
	if dirty {
		v += " modified"
	}
	return v
}
