// Command scimd is the scimd server and its operator CLI: serve, migrate,
// tenant and token administration, and a tenant's users, teams and audit
// log. Run "scimd --help" for the list.
//
// Configuration comes from flags, each with an environment variable
// (SCIMD_ADDR, SCIMD_BASE_URL, SCIMD_DATABASE_URL, SCIMD_DATA_DIR,
// SCIMD_SECRET_KEY, SCIMD_SESSION_IDLE, SCIMD_SESSION_MAX); a flag beats
// its variable. This package is the only place configuration is
// read, and the only one that imports every other.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil)
	stop()
	if err != nil {
		printError(os.Stderr, err)
		os.Exit(1)
	}
}
