// Package useragent is the useragent setting family (see providers.Provider).
package useragent
