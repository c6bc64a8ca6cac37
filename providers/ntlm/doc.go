// Package ntlm is the ntlm setting family (see providers.Provider).
package ntlm
