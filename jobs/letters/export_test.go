package letters

// WithKind lets the package's external tests plug in a kind of their own.
var WithKind = withKind
