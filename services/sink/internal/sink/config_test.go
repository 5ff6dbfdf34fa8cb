package sink

import (
	"testing"

	"github.com/newsflow/newsflow/pkg/service/config/configtest"
)

func TestReadmeConfigTable(t *testing.T) {
	var c Config
	configtest.CheckReadme(t, "../../../../README.md", "sink", Table(&c))
}
