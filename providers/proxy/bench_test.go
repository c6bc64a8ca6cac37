package proxy

import "testing"

// BenchmarkResolveFixed measures the per-URL path of fixed_servers with a
// realistic bypass list; the target is at least 1M resolutions/s/core.
func BenchmarkResolveFixed(b *testing.B) {
	cfg, err := Compile(ElectronConfig{
		ProxyRules:       "http=proxy1.corp.example:8080;https=proxy.corp.example:8443;socks=socks5://sox:1080",
		ProxyBypassRules: "<local>,*.corp.example,10.0.0.0/8,192.168.0.0/16,.internal.example,https://login.example:443",
	})
	if err != nil {
		b.Fatal(err)
	}
	urls := []string{
		"https://www.example.com/path?q=1",
		"http://intranet/",
		"http://app.corp.example/x",
		"https://10.20.30.40/",
		"http://localhost:3000/",
		"ws://chat.example.net/socket",
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Resolve(cfg, urls[i%len(urls)])
		if r.PAC == "" {
			b.Fatal("empty")
		}
	}
}
