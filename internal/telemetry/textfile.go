package telemetry

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sessctl/sessctl/internal/fsx"
)

// maxOldTextfile bounds the previous textfile read back for carry-over.
const maxOldTextfile = 64 << 20

// WriteTextfile writes the collector's metrics to path in the Prometheus
// text exposition format, atomically (internal/fsx: a temporary file
// named ".NAME.tmp-…", which node-exporter's textfile collector ignores,
// renamed over path), with mode 0644.
//
// The series of a group the collector did not measure this time (after a
// failed apply: drift, configuration, partitions; the app's, when the
// output directory is unknown) are carried over from the file already at
// path, so a failed apply does not make the other alerts resolve; a
// previous file that cannot be parsed carries nothing over.
func WriteTextfile(path string, c *Collector) error {
	fams, err := gather(c, path)
	if err != nil {
		return fmt.Errorf("metrics textfile %s: %w", path, err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range fams {
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("metrics textfile %s: %w", path, err)
		}
	}
	if err := fsx.WriteFileAtomic(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("metrics textfile: %w", err)
	}
	return nil
}

// measuring runs one collection and remembers what it measured.
type measuring struct {
	c        *Collector
	measured map[string]bool
}

func (m *measuring) Describe(ch chan<- *prometheus.Desc) { m.c.Describe(ch) }
func (m *measuring) Collect(ch chan<- prometheus.Metric) { m.measured = m.c.collect(ch) }

// gather collects c into metric families sorted by name, with the
// unmeasured groups of the previous file at path merged in.
func gather(c *Collector, path string) ([]*dto.MetricFamily, error) {
	m := &measuring{c: c}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(m); err != nil {
		return nil, err
	}
	fams, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	old := readOld(path)
	have := map[string]bool{}
	for _, mf := range fams {
		have[mf.GetName()] = true
	}
	for _, d := range All {
		mf := old[d.Name]
		if d.Source != Both || m.measured[d.Name] || have[d.Name] || mf == nil || mf.GetType() != dto.MetricType_GAUGE {
			continue
		}
		fams = append(fams, mf)
	}
	sort.Slice(fams, func(i, j int) bool { return fams[i].GetName() < fams[j].GetName() })
	return fams, nil
}

// readOld parses the textfile at path; nil when missing, too large or
// invalid.
func readOld(path string) map[string]*dto.MetricFamily {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxOldTextfile {
		return nil
	}
	fams, err := ParseText(io.LimitReader(f, maxOldTextfile))
	if err != nil {
		return nil
	}
	return fams
}

// ParseText parses the Prometheus text exposition format.
func ParseText(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(r)
}
