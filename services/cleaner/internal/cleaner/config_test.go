package cleaner

import (
	"testing"

	"github.com/newsflow/newsflow/pkg/service/config/configtest"
)

func TestConfigDoc(t *testing.T) {
	var c Config
	configtest.CheckDoc(t, "cleaner", Table(&c))
}
