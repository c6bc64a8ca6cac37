package serial

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// portName selects the tty names that are serial ports: the same families
// go.bug.st/serial recognises on Linux (serial_linux.go osPortFilter).
var portName = regexp.MustCompile(`^(ttyS|ttyHS|ttyUSB|ttyACM|ttyAMA|rfcomm|ttyO|ttymxc)[0-9]{1,3}$`)

// Sysfs lists Linux serial ports the way Chromium's
// SerialDeviceEnumeratorLinux does (services/device/serial/
// serial_device_enumerator_linux.cc @ 19e1c500): every tty device whose
// major and minor numbers belong to a driver of type "serial" in
// /proc/tty/drivers is a port; its USB IDs, product name and serial number
// come from the udev properties ID_VENDOR_ID, ID_MODEL_ID, ID_MODEL_ENC and
// ID_SERIAL_SHORT, read from udev's database (/run/udev/data/cMAJOR:MINOR)
// rather than through libudev, or, when udev has no record (containers),
// from the same sysfs attributes udev derives them from. Nothing is opened
// but sysfs, procfs and udev files.
//
// When /proc/tty/drivers cannot be read, Sysfs falls back to the name
// families go.bug.st/serial recognises and skips 8250 placeholders whose
// UART type is 0. go.bug.st/serial's own enumerator is not used on Linux:
// GetDetailedPortsList → GetPortsList (v1.8.0 serial_unix.go
// nativeGetPortsList) opens every ttyS*/ttyHS* device to probe it.
type Sysfs struct {
	// Root is the sysfs mount ("/sys"); tests point it at a fake tree.
	Root string
	// Dev is the device directory ("/dev").
	Dev string
	// Proc is the procfs mount ("/proc").
	Proc string
	// UdevData is udev's database directory ("/run/udev/data").
	UdevData string
}

// ListPorts implements PortLister.
func (s Sysfs) ListPorts() ([]Port, error) {
	root, dev, proc, udev := s.Root, s.Dev, s.Proc, s.UdevData
	if root == "" {
		root = "/sys"
	}
	if dev == "" {
		dev = "/dev"
	}
	if proc == "" {
		proc = "/proc"
	}
	if udev == "" {
		udev = "/run/udev/data"
	}
	classDir := filepath.Join(root, "class", "tty")
	entries, err := os.ReadDir(classDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	drivers := readSerialDrivers(filepath.Join(proc, "tty", "drivers"))
	var ports []Port
	for _, e := range entries {
		name := e.Name()
		ttyDir := filepath.Join(classDir, name)
		devLink := filepath.Join(ttyDir, "device")
		major, minor, hasNumbers := devNumbers(filepath.Join(ttyDir, "dev"))
		if drivers != nil {
			if !hasNumbers || !drivers.serial(major, minor) {
				continue
			}
		} else if !legacyIsPort(name, ttyDir, devLink) {
			continue
		}
		// sysfs spells "/" in device names as "!".
		path := filepath.Join(dev, strings.ReplaceAll(name, "!", "/"))
		var p Port
		if props := udevProperties(filepath.Join(udev, fmt.Sprintf("c%d:%d", major, minor))); hasNumbers && props != nil {
			model := udevDecode(props["ID_MODEL_ENC"])
			p = newPort(path, props["ID_VENDOR_ID"], props["ID_MODEL_ID"], props["ID_SERIAL_SHORT"], model, udevDecode(props["ID_VENDOR_ENC"]))
		} else {
			vid, pid, sn, product, manufacturer := usbDetails(devLink)
			p = newPort(path, vid, pid, sn, product, manufacturer)
		}
		ports = append(ports, p)
	}
	Sort(ports)
	return ports, nil
}

// legacyIsPort is the fallback test without /proc/tty/drivers.
func legacyIsPort(name, ttyDir, devLink string) bool {
	if !portName.MatchString(name) {
		return false
	}
	if _, err := os.Stat(devLink); err != nil {
		return false // no backing device: a virtual terminal
	}
	if strings.HasPrefix(name, "ttyS") || strings.HasPrefix(name, "ttyHS") {
		// Placeholder 8250 ports exist for every legacy I/O address; the
		// kernel reports type 0 (PORT_UNKNOWN) when no UART answered.
		if t, _ := readLine(filepath.Join(ttyDir, "type")); t == "" || t == "0" {
			return false
		}
	}
	return true
}

// serialDrivers are the major/minor ranges of tty drivers of type "serial".
type serialDrivers []struct{ major, minStart, minEnd int }

func (d serialDrivers) serial(major, minor int) bool {
	for _, r := range d {
		if major == r.major && minor >= r.minStart && minor <= r.minEnd {
			return true
		}
	}
	return false
}

// readSerialDrivers parses /proc/tty/drivers ("driver name major
// minor-range type" per line), keeping drivers of type "serial" as
// ReadSerialDriverInfo does. It returns nil when the file cannot be read.
func readSerialDrivers(path string) serialDrivers {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	d := serialDrivers{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[4] != "serial" {
			continue
		}
		major, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		lo, hi, ok := strings.Cut(f[3], "-")
		start, err1 := strconv.Atoi(lo)
		end := start
		var err2 error
		if ok {
			end, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil {
			continue
		}
		d = append(d, struct{ major, minStart, minEnd int }{major, start, end})
	}
	return d
}

// devNumbers reads a sysfs "dev" attribute ("166:0").
func devNumbers(path string) (major, minor int, ok bool) {
	s, err := readLine(path)
	if err != nil {
		return 0, 0, false
	}
	a, b, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil
}

// udevProperties reads the "E:KEY=VALUE" lines of a udev database record;
// nil when there is none.
func udevProperties(path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 1<<20 {
		return nil
	}
	props := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if kv, ok := strings.CutPrefix(line, "E:"); ok {
			if k, v, ok := strings.Cut(kv, "="); ok {
				props[k] = v
			}
		}
	}
	return props
}

// udevDecode undoes udev's string encoding ("Arduino\\x20Uno"), as
// Chromium's device::UdevDecodeString does.
func udevDecode(s string) string {
	if !strings.Contains(s, "\\x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// usbDetails reads the USB attributes of a tty's device, when it is a USB
// device: ttyUSB devices sit on a usb-serial interface two levels below the
// USB device, ttyACM devices on a usb interface one level below.
func usbDetails(devLink string) (vid, pid, serialNumber, product, manufacturer string) {
	real, err := filepath.EvalSymlinks(devLink)
	if err != nil {
		return
	}
	sub, err := filepath.EvalSymlinks(filepath.Join(real, "subsystem"))
	if err != nil {
		return
	}
	var usbDev string
	switch filepath.Base(sub) {
	case "usb-serial":
		usbDev = filepath.Dir(filepath.Dir(real))
	case "usb":
		usbDev = filepath.Dir(real)
	default:
		return
	}
	vid, _ = readLine(filepath.Join(usbDev, "idVendor"))
	pid, _ = readLine(filepath.Join(usbDev, "idProduct"))
	serialNumber, _ = readLine(filepath.Join(usbDev, "serial"))
	product, _ = readLine(filepath.Join(usbDev, "product"))
	manufacturer, _ = readLine(filepath.Join(usbDev, "manufacturer"))
	return
}

// readLine returns the first line of a small sysfs attribute file.
func readLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 256), 4096)
	if sc.Scan() {
		return strings.TrimSpace(sc.Text()), nil
	}
	return "", sc.Err()
}
