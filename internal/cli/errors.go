package cli

import (
	"context"
	"errors"

	"github.com/pluginctl/pluginctl/internal/diag"
)

// interrupted marks err as the consequence of ctx being cancelled (a
// signal): whatever failed once the context was done failed because of
// it, even when a layer below reported it without wrapping
// context.Canceled (a killed go command, say).
func interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return &diag.EnvError{Msg: "interrupted: " + err.Error(), Code: diag.ExitInterrupted, Err: err}
}
