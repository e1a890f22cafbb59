package sso

// Finding is one result of a connector's check (scimd sso test): a line an
// operator reads.
type Finding struct {
	Level   Level
	Message string
}

// Level says how much a finding matters.
type Level string

// The levels.
const (
	OK      Level = "ok"
	Warning Level = "warning" // sign-in may work, but something is off
	Problem Level = "problem" // sign-in can't work until it is fixed
)
