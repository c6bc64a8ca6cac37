package spellcheck

// BuildBDIC is buildBDIC for the package's external tests (provisioning
// through reconcile, the real-Chromium test).
var BuildBDIC = buildBDIC
