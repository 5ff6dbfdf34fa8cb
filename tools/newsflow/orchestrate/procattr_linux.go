package orchestrate

import "syscall"

// childAttr puts a service in its own process group (Kill signals the
// group) and has the kernel kill it when newsflow dies, even by SIGKILL:
// an orphan would keep retrying the dead embedded NATS and hold the store's
// lock against the next run.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
