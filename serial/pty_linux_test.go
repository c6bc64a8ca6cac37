package serial

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bugst "go.bug.st/serial"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair through /dev/ptmx (posix_openpt,
// unlockpt and ptsname done with ioctls) and returns the master and the
// slave's path.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	master := os.NewFile(uintptr(fd), "/dev/ptmx")
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	slave := fmt.Sprintf("/dev/pts/%d", n)
	if _, err := os.Stat(slave); err != nil {
		t.Skipf("pty slave %s not visible (devpts not mounted?): %v", slave, err)
	}
	return master, slave
}

// TestPTYEnumerateOpenExchange shows the whole path without hardware: a
// pseudo-terminal slave stands in for an Arduino on ttyACM0 (the fake
// sysfs describes its USB IDs and /dev/ttyACM0 links to the slave),
// enumeration lists it in Electron's shape without opening it, and
// go.bug.st/serial opens the listed path and exchanges bytes with the
// master side.
func TestPTYEnumerateOpenExchange(t *testing.T) {
	master, slave := openPTY(t)

	sysRoot, devDir := fakeSysfs(t)
	acm := filepath.Join(devDir, "ttyACM0")
	if err := os.Remove(acm); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(slave, acm); err != nil {
		t.Fatal(err)
	}

	noProc := filepath.Join(filepath.Dir(sysRoot), "noproc")
	ports, err := Sysfs{Root: sysRoot, Dev: devDir, Proc: noProc, UdevData: noProc}.ListPorts()
	if err != nil {
		t.Fatal(err)
	}
	var found *Port
	for i := range ports {
		if ports[i].PortName == "ttyACM0" {
			found = &ports[i]
		}
	}
	if found == nil || found.VendorID != "9025" || found.ProductID != "67" {
		t.Fatalf("ttyACM0 not listed as 9025:67: %+v", ports)
	}

	port, err := bugst.Open(found.Path, &bugst.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatalf("go.bug.st/serial cannot open the pty slave %s: %v", found.Path, err)
	}
	defer port.Close()
	if err := port.SetReadTimeout(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	// The master side must not echo or translate: make it raw.
	if tio, err := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS); err == nil {
		tio.Lflag &^= unix.ECHO | unix.ICANON
		tio.Oflag &^= unix.OPOST
		tio.Iflag &^= unix.ICRNL
		_ = unix.IoctlSetTermios(int(master.Fd()), unix.TCSETS, tio)
	}

	if _, err := port.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	got := readN(t, master, 5)
	if got != "ping\n" {
		t.Errorf("master read %q, want %q", got, "ping\n")
	}

	if _, err := master.Write([]byte("pong\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 5)
	deadline := time.Now().Add(3 * time.Second)
	for len(buf) < 5 && time.Now().Before(deadline) {
		b := make([]byte, 5-len(buf))
		n, err := port.Read(b)
		if err != nil {
			t.Fatal(err)
		}
		buf = append(buf, b[:n]...)
	}
	if string(buf) != "pong\n" {
		t.Errorf("port read %q, want %q", buf, "pong\n")
	}
}

// readN reads n bytes from f with a deadline.
func readN(t *testing.T, f *os.File, n int) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		buf := make([]byte, 0, n)
		for len(buf) < n {
			b := make([]byte, n-len(buf))
			k, err := f.Read(b)
			if err != nil {
				break
			}
			buf = append(buf, b[:k]...)
		}
		done <- string(buf)
	}()
	select {
	case s := <-done:
		return s
	case <-time.After(3 * time.Second):
		t.Fatal("timed out reading from the pty master")
		return ""
	}
}
