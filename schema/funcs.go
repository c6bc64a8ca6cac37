package schema

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// MaxFileBytes is the largest file that file() and filesha256() read:
// configuration inputs are scripts, keys and word lists, and a bound keeps a
// typo (file("/dev/zero"), a disk image) from exhausting memory.
const MaxFileBytes = 4 << 20

// fileRead is one file read by file()/filesha256(), cached so that a
// for_each over many instances reads each file once.
type fileRead struct {
	content []byte
	sum     string
	err     error
}

// readInput reads a file for a function, resolving relative paths against
// the configuration directory, and records it in Config.Inputs.
func (l *loader) readInput(p string) ([]byte, string, error) {
	if p == "" {
		return nil, "", fmt.Errorf("the path is empty")
	}
	if strings.IndexByte(p, 0) >= 0 {
		return nil, "", fmt.Errorf("the path contains a NUL byte")
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(l.dir, p)
	}
	abs = filepath.Clean(abs)
	if r, ok := l.reads[abs]; ok {
		return r.content, r.sum, r.err
	}
	content, err := readBounded(abs)
	r := &fileRead{content: content, err: err}
	if err == nil {
		s := sha256.Sum256(content)
		r.sum = hex.EncodeToString(s[:])
		l.inputs = append(l.inputs, FileInput{Path: abs, SHA256: r.sum})
	}
	l.reads[abs] = r
	return r.content, r.sum, r.err
}

// recordInput records a file read outside file() (var files).
func (l *loader) recordInput(abs string, b []byte) {
	if _, ok := l.reads[abs]; ok {
		return
	}
	s := sha256.Sum256(b)
	r := &fileRead{content: b, sum: hex.EncodeToString(s[:])}
	l.reads[abs] = r
	l.inputs = append(l.inputs, FileInput{Path: abs, SHA256: r.sum})
}

// readBounded reads a regular file of at most MaxFileBytes.
func readBounded(abs string) ([]byte, error) {
	st, err := os.Stat(abs)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("no file exists at %s", abs)
		}
		return nil, fmt.Errorf("cannot read %s: %v", abs, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (it is a %s); only regular files can be read", abs, fileKind(st.Mode()))
	}
	if st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%s is %d bytes; files read by the configuration are limited to %d bytes (4 MiB)", abs, st.Size(), MaxFileBytes)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", abs, err)
	}
	defer f.Close()
	// The file may grow between Stat and Read: read one byte past the limit.
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", abs, err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes (4 MiB), the limit for files read by the configuration", abs, MaxFileBytes)
	}
	return b, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// functions returns the function table: the go-cty standard library under
// the names Terraform users know, plus file() and filesha256().
func (l *loader) functions() map[string]function.Function {
	fileFunc := function.New(&function.Spec{
		Description: "Reads a UTF-8 text file (relative to the configuration directory).",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, _, err := l.readInput(args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			if !utf8.Valid(b) {
				return cty.NilVal, function.NewArgErrorf(0, "%s is not valid UTF-8 text; use filesha256() to refer to binary files", args[0].AsString())
			}
			return cty.StringVal(string(b)), nil
		},
	})
	fileSHA := function.New(&function.Spec{
		Description: "Returns the hex SHA-256 of a file's bytes (relative to the configuration directory).",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			_, sum, err := l.readInput(args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return cty.StringVal(sum), nil
		},
	})
	return map[string]function.Function{
		// strings
		"upper": stdlib.UpperFunc, "lower": stdlib.LowerFunc, "title": stdlib.TitleFunc,
		"trimspace": stdlib.TrimSpaceFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc, "chomp": stdlib.ChompFunc, "indent": boundedResult(stdlib.IndentFunc),
		"format": boundedFormat(stdlib.FormatFunc), "formatlist": boundedFormat(stdlib.FormatListFunc), "join": boundedResult(stdlib.JoinFunc),
		"split": stdlib.SplitFunc, "replace": boundedResult(stdlib.ReplaceFunc), "regex": stdlib.RegexFunc,
		"regexall": stdlib.RegexAllFunc, "regex_replace": stdlib.RegexReplaceFunc, "substr": stdlib.SubstrFunc,
		"strrev": stdlib.ReverseFunc, "strlen": stdlib.StrlenFunc,
		"startswith": startsWithFunc, "endswith": endsWithFunc, "strcontains": strContainsFunc,
		// collections
		"concat": boundedResult(stdlib.ConcatFunc), "merge": stdlib.MergeFunc, "lookup": stdlib.LookupFunc,
		"length": lengthFunc, "keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc,
		"contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc, "flatten": boundedResult(stdlib.FlattenFunc),
		"coalesce": coalesceFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"element": stdlib.ElementFunc, "index": stdlib.IndexFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc,
		"reverse": stdlib.ReverseListFunc, "range": stdlib.RangeFunc, "zipmap": stdlib.ZipmapFunc,
		"chunklist": stdlib.ChunklistFunc, "setproduct": setProductFunc,
		"setunion": stdlib.SetUnionFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setsymmetricdifference": stdlib.SetSymmetricDifferenceFunc,
		// numbers
		"min": stdlib.MinFunc, "max": stdlib.MaxFunc, "abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc,
		"floor": stdlib.FloorFunc, "log": stdlib.LogFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,
		"parseint": stdlib.ParseIntFunc,
		// conversion
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		// encoding
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"base64encode": base64EncodeFunc, "base64decode": base64DecodeFunc, "sha256": sha256Func,
		// errors
		"can": tryfunc.CanFunc, "try": tryfunc.TryFunc,
		// files
		"file": fileFunc, "filesha256": fileSHA,
	}
}

// lengthFunc is Terraform's length: characters of a string (grapheme
// clusters, as strlen), elements of a collection.
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of elements of a collection or characters of a string.",
	Params:      []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true}},
	Type:        function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch {
		case v.Type() == cty.String:
			return stdlib.Strlen(v)
		case v.Type().IsObjectType():
			return cty.NumberIntVal(int64(len(v.Type().AttributeTypes()))), nil
		case v.Type().IsListType() || v.Type().IsSetType() || v.Type().IsMapType() || v.Type().IsTupleType():
			return cty.NumberIntVal(int64(v.LengthInt())), nil
		}
		return cty.UnknownVal(cty.Number), function.NewArgErrorf(0, "argument must be a string, a collection type, or a structural type")
	},
})

func stringPredicate(desc string, f func(s, x string) bool) function.Function {
	return function.New(&function.Spec{
		Description: desc,
		Params:      []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}},
		Type:        function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var (
	startsWithFunc  = stringPredicate("Reports whether str starts with substr.", strings.HasPrefix)
	endsWithFunc    = stringPredicate("Reports whether str ends with substr.", strings.HasSuffix)
	strContainsFunc = stringPredicate("Reports whether str contains substr.", strings.Contains)
)

var base64EncodeFunc = function.New(&function.Spec{
	Description: "Encodes a string's UTF-8 bytes as standard base64.",
	Params:      []function.Parameter{{Name: "str", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(base64.StdEncoding.EncodeToString([]byte(args[0].AsString()))), nil
	},
})

var base64DecodeFunc = function.New(&function.Spec{
	Description: "Decodes standard base64 into a UTF-8 string.",
	Params:      []function.Parameter{{Name: "str", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		b, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "invalid base64: %v", err)
		}
		if !utf8.Valid(b) {
			return cty.NilVal, function.NewArgErrorf(0, "the decoded bytes are not valid UTF-8")
		}
		return cty.StringVal(string(b)), nil
	},
})

var sha256Func = function.New(&function.Spec{
	Description: "Returns the hex SHA-256 of a string's UTF-8 bytes.",
	Params:      []function.Parameter{{Name: "str", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s := sha256.Sum256([]byte(args[0].AsString()))
		return cty.StringVal(hex.EncodeToString(s[:])), nil
	},
})

// Bounds on functions whose result can be far larger than their input, so a
// configuration cannot make sessctl allocate gigabytes (go-cty caps range()
// at 1024 elements but not these).
const (
	maxProductElements = 1 << 20
	maxFormatWidth     = 10000
)

// setProductFunc is setproduct refusing results over maxProductElements.
var setProductFunc = function.New(&function.Spec{
	Description: stdlib.SetProductFunc.Description(),
	VarParam:    &function.Parameter{Name: "sets", Type: cty.DynamicPseudoType},
	Type: func(args []cty.Value) (cty.Type, error) {
		total := 1
		for i, a := range args {
			if !a.IsKnown() || a.IsNull() || !a.CanIterateElements() {
				continue
			}
			total *= a.LengthInt()
			if total > maxProductElements {
				return cty.NilType, function.NewArgErrorf(i, "the product would have more than %d elements", maxProductElements)
			}
			if total == 0 {
				break
			}
		}
		return stdlib.SetProductFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return stdlib.SetProductFunc.Call(args)
	},
})

// boundedResult refuses calls whose arguments already add up to more than
// MaxValueBytes, before the function builds a result at least as large
// (join over a list of a thousand references to one large local would
// otherwise allocate gigabytes before the value check sees it).
func boundedResult(f function.Function) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			total := 0
			for i, a := range args {
				total += valueSize(a, MaxValueBytes-total)
				if total > MaxValueBytes {
					return cty.NilType, function.NewArgErrorf(i, "the arguments add up to more than %d MiB, the bound on any value", MaxValueBytes>>20)
				}
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return f.Call(args)
		},
	})
}

// boundedFormat refuses format strings with a width or precision over
// maxFormatWidth ("%999999999d" would allocate a gigabyte).
func boundedFormat(f function.Function) function.Function {
	params := f.Params()
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if len(args) > 0 && args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String {
				if n := largestNumber(args[0].AsString()); n > maxFormatWidth {
					return cty.NilType, function.NewArgErrorf(0, "width or precision %d is larger than %d", n, maxFormatWidth)
				}
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return f.Call(args)
		},
	})
}

// largestNumber returns the largest width or precision in a format
// string's verbs ("%-12.3f" gives 12), capped just above maxFormatWidth.
func largestNumber(s string) int {
	best := 0
	num := func(i int) (int, int) {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if n <= maxFormatWidth {
				n = n*10 + int(s[i]-'0')
			}
			i++
		}
		return n, i
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		if i < len(s) && s[i] == '%' {
			continue
		}
		if i < len(s) && s[i] == '[' { // explicit argument index
			for i < len(s) && s[i] != ']' {
				i++
			}
			i++
		}
		for i < len(s) && strings.IndexByte("-+# 0", s[i]) >= 0 {
			i++
		}
		var w int
		w, i = num(i)
		if w > best {
			best = w
		}
		if i < len(s) && s[i] == '.' {
			w, i = num(i + 1)
			if w > best {
				best = w
			}
		}
		i-- // the loop's i++ moves onto the verb
	}
	return best
}

// coalesceFunc is Terraform's coalesce: the first argument that is neither
// null nor an empty string (go-cty's only skips nulls), converted to the
// arguments' common type.
var coalesceFunc = function.New(&function.Spec{
	Description: "Returns the first argument that is not null or an empty string.",
	VarParam:    &function.Parameter{Name: "vals", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.CoalesceFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			v, err := convert.Convert(a, retType)
			if err != nil {
				return cty.NilVal, err
			}
			if v.IsNull() || (v.Type() == cty.String && v.IsKnown() && v.AsString() == "") {
				continue
			}
			return v, nil
		}
		return cty.NilVal, fmt.Errorf("no non-null, non-empty-string arguments")
	},
})
