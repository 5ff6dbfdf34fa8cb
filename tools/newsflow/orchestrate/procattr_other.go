//go:build !linux

package orchestrate

import "syscall"

// childAttr puts a service in its own process group. Outside Linux there
// is no parent-death signal: children of a killed newsflow must be stopped
// by hand.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
