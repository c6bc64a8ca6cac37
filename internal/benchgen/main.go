// Command benchgen writes a benchmark configuration of N partitions with
// every setting family set (benchcfg.Generate), for
// scripts/bench-cli.sh.
//
//	go run ./internal/benchgen [-for-each] [-warn] DIR N
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/sessctl/sessctl/internal/benchcfg"
)

func main() {
	forEach := flag.Bool("for-each", false, "generate one for_each block over a map of N hosts")
	warn := flag.Bool("warn", false, "give every partition one warning (W111)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchgen [-for-each] [-warn] DIR N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(flag.Arg(1))
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "benchgen: N must be a whole number, got %q\n", flag.Arg(1))
		os.Exit(2)
	}
	err = benchcfg.Generate(flag.Arg(0), n, *forEach)
	if err == nil && *warn {
		err = benchcfg.AddWarnings(flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
