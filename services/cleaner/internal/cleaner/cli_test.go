package cleaner

import (
	"testing"

	"github.com/newsflow/newsflow/pkg/service/app/apptest"
)

// A mistyped command runs nothing; help lists the commands, each with its
// own --help.
func TestUnknownCommandsRunNothing(t *testing.T) {
	apptest.UnknownCommandsRunNothing(t, "cleaner", Main, "run", "clean")
}
