package schema

// InstalledOutputPaths is installedOutputPaths, for the test in package schema_test that compares
// it with render's outputs (package schema cannot import render).
var InstalledOutputPaths = installedOutputPaths
