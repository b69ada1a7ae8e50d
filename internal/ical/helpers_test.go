package ical

// escapeText passes the TEXT value Write gives s to emit, one piece that a
// fold cannot split at a time.
func escapeText(s string, emit func(string)) {
	for v := textProp("X", s).Value; v != ""; {
		n := tokenLen(v)
		emit(v[:n])
		v = v[n:]
	}
}

// text writes a TEXT property as Write would.
func (b *builder) text(name, value string) {
	p := textProp(name, value)
	b.line(p.Name + ":" + p.Value)
}
