package configtest

import "testing"

// TestConfigDoc keeps the table of common settings in docs/configuration.md
// equal to config.AddCommon and config.AddWorker.
func TestConfigDoc(t *testing.T) { CheckCommonDoc(t) }
