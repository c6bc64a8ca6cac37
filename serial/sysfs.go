package serial

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// portName selects the tty names that are serial ports: the same families
// go.bug.st/serial recognises on Linux (serial_linux.go osPortFilter).
var portName = regexp.MustCompile(`^(ttyS|ttyHS|ttyUSB|ttyACM|ttyAMA|rfcomm|ttyO|ttymxc)[0-9]{1,3}$`)

// Sysfs lists Linux serial ports from sysfs alone.
//
// go.bug.st/serial's enumerator (GetDetailedPortsList → GetPortsList, v1.8.0
// serial_unix.go nativeGetPortsList) opens every ttyS*/ttyHS* device to tell
// real UARTs from placeholders. Sysfs reads the UART type the kernel already
// knows instead (/sys/class/tty/NAME/type, 0 = PORT_UNKNOWN, no UART), and
// the USB attributes the same way the enumerator does, so no port is
// opened. Other systems use the enumerator directly (System).
type Sysfs struct {
	// Root is the sysfs mount ("/sys"); tests point it at a fake tree.
	Root string
	// Dev is the device directory ("/dev").
	Dev string
}

// ListPorts implements PortLister.
func (s Sysfs) ListPorts() ([]Port, error) {
	root, dev := s.Root, s.Dev
	if root == "" {
		root = "/sys"
	}
	if dev == "" {
		dev = "/dev"
	}
	classDir := filepath.Join(root, "class", "tty")
	entries, err := os.ReadDir(classDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ports []Port
	for _, e := range entries {
		name := e.Name()
		if !portName.MatchString(name) {
			continue
		}
		ttyDir := filepath.Join(classDir, name)
		devLink := filepath.Join(ttyDir, "device")
		if _, err := os.Stat(devLink); err != nil {
			// No backing device: a virtual terminal, not a port.
			continue
		}
		if strings.HasPrefix(name, "ttyS") || strings.HasPrefix(name, "ttyHS") {
			// Placeholder 8250 ports exist for every legacy I/O address; the
			// kernel reports type 0 (PORT_UNKNOWN) when no UART answered.
			if t, _ := readLine(filepath.Join(ttyDir, "type")); t == "" || t == "0" {
				continue
			}
		}
		path := filepath.Join(dev, name)
		vid, pid, sn, product, manufacturer := usbDetails(devLink)
		ports = append(ports, newPort(path, vid, pid, sn, product, manufacturer))
	}
	Sort(ports)
	return ports, nil
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
