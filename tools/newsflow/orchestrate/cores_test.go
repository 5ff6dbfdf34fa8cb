package orchestrate

import (
	"runtime"
	"slices"
	"strconv"
	"testing"
)

func TestShareCores(t *testing.T) {
	want := "GOMAXPROCS=" + strconv.Itoa(max(1, runtime.NumCPU()/4))
	if got := ShareCores([]string{"PATH=/bin"}); !slices.Equal(got, []string{"PATH=/bin", want}) {
		t.Errorf("ShareCores without GOMAXPROCS = %v, want it added as %s", got, want)
	}
	set := []string{"GOMAXPROCS=7", "PATH=/bin"}
	if got := ShareCores(set); !slices.Equal(got, set) {
		t.Errorf("ShareCores with GOMAXPROCS set = %v, want it kept", got)
	}
	if CoreShare() < 1 {
		t.Errorf("CoreShare = %d", CoreShare())
	}
}
