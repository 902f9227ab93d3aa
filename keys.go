package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

type keyFlags struct{ role, org, label *string }

func addKeyFlags(fs *flag.FlagSet, sub string) *keyFlags {
	if sub != "create" {
		return nil
	}
	return &keyFlags{
		role:  fs.String("role", "", "key role: admin, officer or publisher"),
		org:   fs.String("org", "", "organisation id the key acts for (officer and publisher keys), e.g. neddc"),
		label: fs.String("label", "", "who or what the key is for"),
	}
}

// keysCommand manages API keys directly in the store, so the first admin key
// can be made without any key existing.
func keysCommand(ctx context.Context, st store.Store, sub string, kf *keyFlags, args []string, stdout, stderr io.Writer) int {
	ids := identity.New(st, audit.New(st, slog.New(slog.NewTextHandler(stderr, nil))))
	switch sub {
	case "create":
		key, secret, err := ids.CreateKey(ctx, audit.CLI, domain.Role(*kf.role), *kf.org, *kf.label)
		if err != nil {
			fmt.Fprintln(stderr, "councilapi keys create:", err)
			return 1
		}
		fmt.Fprintf(stdout, "Created %s key %s (%s). The secret is shown only now:\n\n%s\n\nUse it as: Authorization: Bearer %s\n",
			key.Role, key.ID, key.Label, secret, secret)
		return 0
	case "list":
		keys, err := ids.Keys(ctx, audit.CLI)
		if err != nil {
			fmt.Fprintln(stderr, "councilapi keys list:", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPREFIX\tROLE\tORG\tLABEL\tCREATED\tREVOKED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Role, k.Organisation, k.Label, k.Created, k.Revoked)
		}
		tw.Flush()
		return 0
	case "revoke":
		if len(args) != 1 {
			fmt.Fprintln(stderr, "usage: councilapi keys revoke [flags] KEY_ID")
			return 2
		}
		k, err := ids.RevokeKey(ctx, audit.CLI, args[0])
		if err != nil {
			fmt.Fprintln(stderr, "councilapi keys revoke:", err)
			return 1
		}
		fmt.Fprintf(stdout, "Revoked key %s at %s\n", k.ID, k.Revoked)
		return 0
	}
	fmt.Fprintf(stderr, "councilapi keys: unknown subcommand %q (create, list, revoke)\n", sub)
	return 2
}
