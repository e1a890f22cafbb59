package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/scimd/scimd/directory"
)

// tenantUpdateCmd renames a tenant or changes its seats: an operator's
// action, since seats are what the tenant pays for. The directory refuses
// a limit below the staff who already take a seat.
func tenantUpdateCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var (
		db    dbConfig
		name  string
		seats int
		hook  string
	)
	fs := newFlagSet(cmd, "tenant update SLUG [--name NAME] [--seats N] [--alert-webhook URL] [flags]")
	fs.StringVar(&hook, "alert-webhook", "", "`URL` that receives a JSON POST for every break-glass sign-in (https; \"\" removes it)")
	fs.StringVar(&name, "name", "", "the tenant's new display `NAME`")
	fs.IntVar(&seats, "seats", 0, "how many active staff (`N`) the tenant may have; 0 is unlimited")
	db.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos, "SLUG"); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["name"] && !given["seats"] && !given["alert-webhook"] {
		return fmt.Errorf("%s needs --name NAME, --seats N or --alert-webhook URL (see scimd %s --help)", cmd, cmd)
	}
	return withService(ctx, e, db, func(svc *directory.Service) error {
		t, err := tenantBySlug(ctx, svc, pos[0])
		if err != nil {
			return err
		}
		if given["name"] {
			if t, err = svc.RenameTenant(ctx, directory.CLI, t.ID, name); err != nil {
				return err
			}
		}
		if given["seats"] {
			if t, err = svc.SetSeats(ctx, directory.CLI, t.ID, seats); err != nil {
				return err
			}
		}
		if given["alert-webhook"] {
			s, err := svc.SetBreakGlassSettings(ctx, directory.CLI, t.ID, func(s *directory.BreakGlassSettings) error {
				s.AlertWebhook = hook
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "break-glass alert webhook of tenant %s: %s\n", t.Slug, cell(s.AlertWebhook))
		}
		usage, err := svc.Seats(ctx, t.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "updated tenant %s (%s), seats: %s, %d in use\n", t.Slug, t.Name, seatsText(t.Seats), usage.Used)
		return nil
	})
}
