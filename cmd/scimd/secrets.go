package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
)

// keyConfig says where the key that seals stored secrets (OIDC client
// secrets) comes from: SCIMD_SECRET_KEY, or else secret.key in the data
// directory. serve and the sso commands register it.
type keyConfig struct {
	SecretKey string // base64 of 32 bytes; "" for the key file
}

func (c *keyConfig) register(fs *flagSet) {
	fs.stringEnv(&c.SecretKey, "secret-key", "SCIMD_SECRET_KEY", "",
		"`BASE64` of 32 random bytes (openssl rand -base64 32) that seals stored secrets; every replica needs the same one. Without it, "+secretbox.FileName+" in the data directory, made on first need (prefer the variable: a flag shows in ps)")
}

func (c keyConfig) checks() []check {
	if c.SecretKey == "" {
		return nil
	}
	_, err := secretbox.ParseKey(c.SecretKey)
	msg := ""
	if err != nil {
		msg = "--secret-key (SCIMD_SECRET_KEY): " + err.Error()
	}
	return []check{{err != nil, msg}}
}

// keeper returns what seals and opens secrets for db: the configured key,
// or the key file in the data directory. The file is read now if it
// exists (so a bad one stops serve at start), made now when the data
// directory holds the database anyway, and otherwise made when a secret is
// first set (a server that never sees one makes none). created reports a
// file made now.
func (c keyConfig) keeper(db dbConfig) (k secretbox.Keeper, source string, created bool, err error) {
	if c.SecretKey != "" {
		key, err := secretbox.ParseKey(c.SecretKey)
		if err != nil {
			return nil, "", false, fmt.Errorf("--secret-key (SCIMD_SECRET_KEY): %w", err)
		}
		b, err := secretbox.New(key)
		return b, "SCIMD_SECRET_KEY", false, err
	}
	path := filepath.Join(db.DataDir, secretbox.FileName)
	if _, statErr := os.Stat(path); statErr == nil || db.DatabaseURL == "" {
		key, created, err := secretbox.LoadOrCreateFile(path)
		if err != nil {
			return nil, "", false, err
		}
		b, err := secretbox.New(key)
		return b, path, created, err
	}
	return secretbox.NewLazy(func() ([]byte, error) {
		key, _, err := secretbox.LoadOrCreateFile(path)
		return key, err
	}), path, false, nil
}

// logKey says where the key comes from, and warns when replicas could
// disagree on it.
func logKey(log *slog.Logger, db dbConfig, source string, created bool) {
	switch {
	case source == "SCIMD_SECRET_KEY":
		log.Info("stored secrets are sealed with SCIMD_SECRET_KEY")
	case created:
		log.Warn("made a new key for stored secrets; back it up, and give it to every replica as SCIMD_SECRET_KEY", "file", source)
	case db.resolve().kind == kindPostgres:
		log.Warn("no SCIMD_SECRET_KEY: stored secrets are sealed with a key file in the data directory; replicas sharing the database must share the key, so set SCIMD_SECRET_KEY on each", "file", source)
	}
}

// sessionConfig bounds sign-in sessions.
type sessionConfig struct {
	Idle string // a Go duration, e.g. "2h"
	Max  string
}

func (c *sessionConfig) register(fs *flagSet) {
	fs.stringEnv(&c.Idle, "session-idle", "SCIMD_SESSION_IDLE", directory.DefaultSessionPolicy.Idle.String(),
		"how long a signed-in session lasts unused (`DURATION`, e.g. 30m)")
	fs.stringEnv(&c.Max, "session-max", "SCIMD_SESSION_MAX", directory.DefaultSessionPolicy.Absolute.String(),
		"how long a signed-in session lasts at most, used or not (`DURATION`, e.g. 12h)")
}

// policy returns the parsed policy of a config that passed checks.
func (c sessionConfig) policy() directory.SessionPolicy {
	idle, _ := time.ParseDuration(c.Idle)
	max, _ := time.ParseDuration(c.Max)
	return directory.SessionPolicy{Idle: idle, Absolute: max}
}

func (c sessionConfig) checks() []check {
	idle, ierr := time.ParseDuration(c.Idle)
	max, merr := time.ParseDuration(c.Max)
	return []check{
		{ierr != nil, fmt.Sprintf("--session-idle (SCIMD_SESSION_IDLE) %q is not a duration such as 30m or 2h", truncate(c.Idle, 40))},
		{ierr == nil && (idle < time.Minute || idle > 7*24*time.Hour), fmt.Sprintf("--session-idle (SCIMD_SESSION_IDLE) %s must be between 1m and 168h", idle)},
		{merr != nil, fmt.Sprintf("--session-max (SCIMD_SESSION_MAX) %q is not a duration such as 12h", truncate(c.Max, 40))},
		{merr == nil && (max < 5*time.Minute || max > 30*24*time.Hour), fmt.Sprintf("--session-max (SCIMD_SESSION_MAX) %s must be between 5m and 720h", max)},
		{ierr == nil && merr == nil && max < idle, fmt.Sprintf("--session-max (SCIMD_SESSION_MAX) %s is shorter than --session-idle %s; make it at least as long", max, idle)},
	}
}
