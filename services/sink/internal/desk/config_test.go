package desk

import (
	"testing"

	"github.com/newsflow/newsflow/pkg/service/config/configtest"
)

func TestReadme(t *testing.T) {
	var c Config
	configtest.CheckDoc(t, "desk", Table(&c))
}
