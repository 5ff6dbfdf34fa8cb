package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/app"
)

// TestUnknownCommandIsAUsageError: newsflow exits 2 with its usage for a
// command it does not know, as the services' binaries do.
func TestUnknownCommandIsAUsageError(t *testing.T) {
	for _, args := range [][]string{nil, {"bogus"}, {"runn"}} {
		var out, errb bytes.Buffer
		err := Main(context.Background(), args, &out, &errb)
		if !errors.Is(err, app.ErrUsage) || !strings.Contains(errb.String(), "newsflow run") {
			t.Errorf("newsflow %v: %v, stderr %q; want a usage error with the usage", args, err, errb.String())
		}
	}
}
