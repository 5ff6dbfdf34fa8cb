package desk

import (
	"testing"

	"github.com/newsflow/newsflow/pkg/service/config/configtest"
)

func TestReadme(t *testing.T) {
	var c Config
	configtest.CheckReadme(t, "../../../../docs/configuration.md", "desk", Table(&c))
}
