package providers

// FieldView says how the plan shows one profile field in the operator's
// terms: under the HCL name that sets it, with HCL's member names, without
// the compiled bookkeeping the adapter needs. A family declares the views
// of the fields it renders (Viewer); cmd/sessctl's plan view reads them,
// so that view and family cannot drift apart. Member paths are profile
// keys below the field joined with ".", array levels left out
// ("rules.handlers" is the handlers member of every element of rules).
type FieldView struct {
	// Field is the profile key ("sslConfig").
	Field string
	// HCL is the attribute or block that sets it ("tls").
	HCL string
	// Keys renames members (path → HCL name); an unlisted member is shown
	// in snake_case.
	Keys map[string]string
	// Hidden are member paths with no counterpart in HCL.
	Hidden []string
	// Unwrap names a member whose value alone is shown as the field (a
	// table whose only member left to show is its list of rules).
	Unwrap string
	// Sources are member paths holding arrays of compiled patterns, shown
	// as the strings written (each element's "source").
	Sources []string
	// CommaLists are member paths ("" for the field itself) holding a
	// comma-joined string that HCL writes as a list.
	CommaLists []string
	// Labelled are member paths ("" for the field itself) holding an
	// object keyed by block label: its keys are shown as written (not
	// in snake_case), and the label level is left out of member paths.
	Labelled []string
	// HiddenOnCreate hides the field when its partition is created: it is
	// derived (from the partition's name or the targeted Electron), so
	// showing it there is noise.
	HiddenOnCreate bool
}

// Viewer is implemented by providers: the views of the profile fields the
// family renders.
type Viewer interface {
	FieldViews() []FieldView
}

// FieldViews returns the views declared by every registered provider.
func FieldViews() []FieldView {
	var out []FieldView
	for _, p := range All() {
		if v, ok := p.(Viewer); ok {
			out = append(out, v.FieldViews()...)
		}
	}
	return out
}

// FieldViews implements Viewer.
func (t TableProvider[T]) FieldViews() []FieldView {
	v := t.View
	v.Field = t.Field
	if v.HCL == "" {
		v.HCL = t.Name
	}
	return []FieldView{v}
}
