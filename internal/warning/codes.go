package warning

// The codes, by family. Numbers are grouped by family with room to grow:
// W0xx language and core, W1xx proxy (W10x–W11x bypass rules, W12x proxy
// rules), W2xx tls, W3xx permissions, W4xx certificates, W5xx serial,
// W6xx spellcheck, W7xx extensions, W8xx user agent, network emulation and
// NTLM, W95x display media. Append; never renumber, never reuse a number.
const (
	PartitionNotPortable  Code = "W001"
	PartitionInMemory     Code = "W002"
	ProfileListedTwice    Code = "W003"
	DefaultSessionCache   Code = "W010"
	IgnoreDriftCoreField  Code = "W011"
	IgnoreDriftUnknown    Code = "W012"
	ProcessWideOverridden Code = "W013"

	ProxyLocal              Code = "W101"
	ProxyFieldIgnored       Code = "W102"
	ProxyNoRules            Code = "W103"
	BypassRuleDropped       Code = "W104"
	BypassCIDRScheme        Code = "W105"
	BypassSchemeNeverMatch  Code = "W106"
	BypassSpace             Code = "W107"
	BypassNonASCII          Code = "W108"
	BypassIPv6NoBrackets    Code = "W109"
	BypassEmptyHost         Code = "W110"
	BypassQuestionMark      Code = "W111"
	BypassCancelledLoopback Code = "W112"
	RulesKeylessIgnored     Code = "W120"
	RulesKeyWithoutProxy    Code = "W121"
	RulesEmptyKey           Code = "W122"
	RulesRestIgnored        Code = "W123"
	RulesSeveralEquals      Code = "W124"
	RulesUnknownScheme      Code = "W125"
	RulesProxyDropped       Code = "W126"
	RulesSocks4             Code = "W127"
	RulesHTTPOn443          Code = "W128"

	CipherUnknown Code = "W201"
	CipherTwice   Code = "W202"

	PermissionsMissing    Code = "W301"
	PermissionRuleDead    Code = "W302"
	PermissionUnverified  Code = "W303"
	PermissionOrigin      Code = "W304"
	PermissionRuleShadow  Code = "W305"
	CertificateAcceptAll  Code = "W401"
	CertificateFailAll    Code = "W402"
	CertificateShadowed   Code = "W403"
	SerialNoSelect        Code = "W501"
	SerialProductNoVendor Code = "W502"
	SerialSelectAll       Code = "W503"
	SerialSelectShadowed  Code = "W504"
	SerialUnreachable     Code = "W505"
	SerialDecimalID       Code = "W506"
	SerialPlatformField   Code = "W507"

	SpellLanguageStored Code = "W601"
	SpellLanguageTwice  Code = "W602"
	SpellNoLanguages    Code = "W603"
	SpellWordTwice      Code = "W604"
	// W605–W619: spellcheck dictionaries.
	SpellDictionaryUnused  Code = "W605"
	SpellDictionaryVersion Code = "W606"

	ExtensionSameID       Code = "W701"
	ExtensionLoadWarning  Code = "W702"
	ExtensionPathNotReal  Code = "W703"
	ExtensionMetadataGone Code = "W704"

	AcceptLanguageEmptyEntry Code = "W801"
	AcceptLanguageSpaces     Code = "W802"
	AcceptLanguageNotTag     Code = "W803"
	AcceptLanguagesEmpty     Code = "W804"
	NetworkEmulationNoop     Code = "W851"
	NTLMEveryServer          Code = "W871"
	MaintenanceProxyNoop     Code = "W881"

	DisplayMediaSystemPicker Code = "W951"
	DisplayMediaNoRules      Code = "W952"
	DisplayMediaNoSource     Code = "W953"
	DisplayMediaLoopback     Code = "W954"
	DisplayMediaOrigin       Code = "W955"
	DisplayMediaShadowed     Code = "W956"

	DownloadsOrigin Code = "W901"

	WebRequestNonStandardScheme Code = "W931"
	WebRequestPortText          Code = "W932"
	WebRequestRedirectChain     Code = "W933"
	DevicesNoRules              Code = "W961"
	DevicesOrigin               Code = "W962"
	DevicesShadowed             Code = "W963"
	DevicesDecimalID            Code = "W964"
	DevicesEveryOrigin          Code = "W965"
	DevicesProductNoVendor      Code = "W966"
	DevicesEveryDevice          Code = "W967"
	DevicesCheckDenied          Code = "W968"
	DevicesSerialNotAllowed     Code = "W969"
	DevicesPairingPlatform      Code = "W970"
	DevicesSerialWindows        Code = "W971"
	DevicesFidoHidden           Code = "W972"
	CookieExpiryClamped         Code = "W911"
	CookieExpired               Code = "W912"
)

var table = []Info{
	{Code: PartitionNotPortable, Family: "language", Title: "partition directory is not portable to Windows",
		Acknowledge: "The app never runs on Windows."},
	{Code: PartitionInMemory, Family: "language", Title: `partition name starts with a differently cased "persist:", so it is in-memory`,
		Acknowledge: "An in-memory partition is what you want; better, rename it so it does not look persistent."},
	{Code: ProfileListedTwice, Family: "language", Title: "a profile is listed twice in profiles",
		Acknowledge: "Rarely right: remove the second mention."},
	{Code: DefaultSessionCache, Family: "language", Title: "cache = false has no effect on the default session",
		Acknowledge: "The configuration is shared with an app version that uses a named partition."},
	{Code: IgnoreDriftCoreField, Family: "drift", Title: "ignore_drift names a core profile field, which is always drift",
		Acknowledge: "Never needed: remove the entry."},
	{Code: IgnoreDriftUnknown, Family: "drift", Title: "ignore_drift names a field this partition's profile does not have",
		Acknowledge: "The field comes and goes with another setting of the partition."},
	{Code: ProcessWideOverridden, Family: "language", Title: "a process-wide setting of one partition is overridden by a later partition",
		Acknowledge: "You know the last partition's value applies to every session."},

	{Code: ProxyLocal, Family: "proxy", Title: "<local> bypasses every host name without a dot, not localhost",
		Acknowledge: "You want single-label intranet names (http://intranet/) to bypass the proxy."},
	{Code: ProxyFieldIgnored, Family: "proxy", Title: "a proxy attribute is ignored in this mode",
		Acknowledge: "The attribute is kept for a mode switched by a variable."},
	{Code: ProxyNoRules, Family: "proxy", Title: "mode fixed_servers without rules connects directly",
		Acknowledge: "Rules come from a variable that may be empty on some machines."},
	{Code: BypassRuleDropped, Family: "proxy", Title: "Chromium drops a bypass rule it cannot parse",
		Acknowledge: "Rarely right: the rule has no effect."},
	{Code: BypassCIDRScheme, Family: "proxy", Title: "the scheme of a CIDR bypass rule is ignored",
		Acknowledge: "Bypassing every scheme for the block is what you want."},
	{Code: BypassSchemeNeverMatch, Family: "proxy", Title: "a bypass rule's scheme never matches a URL scheme",
		Acknowledge: "Rarely right: the rule has no effect."},
	{Code: BypassSpace, Family: "proxy", Title: "a bypass rule contains a space, which is not a separator",
		Acknowledge: "Rarely right: the rule matches no host."},
	{Code: BypassNonASCII, Family: "proxy", Title: "a bypass rule with non-ASCII characters never matches",
		Acknowledge: "Rarely right: write the punycode form."},
	{Code: BypassIPv6NoBrackets, Family: "proxy", Title: "an IPv6 bypass rule without brackets never matches",
		Acknowledge: "Rarely right: write [::1] or a CIDR block."},
	{Code: BypassEmptyHost, Family: "proxy", Title: "a bypass rule with an empty host never matches",
		Acknowledge: "Rarely right: the rule has no effect."},
	{Code: BypassQuestionMark, Family: "proxy", Title: "'?' in a bypass rule matches zero or one character",
		Acknowledge: "The optional character is intended."},
	{Code: BypassCancelledLoopback, Family: "proxy", Title: "a bypass rule for a loopback host is cancelled by a later <-loopback>",
		Acknowledge: "Rarely right: move the rule after <-loopback>."},
	{Code: RulesKeylessIgnored, Family: "proxy", Title: "a proxy rules entry without a scheme key after keyed entries is ignored",
		Acknowledge: "Rarely right: the entry has no effect."},
	{Code: RulesKeyWithoutProxy, Family: "proxy", Title: `a "key=" proxy rules entry without a proxy is read as a host`,
		Acknowledge: "Rarely right."},
	{Code: RulesEmptyKey, Family: "proxy", Title: "'=' without a scheme key in proxy rules",
		Acknowledge: "Rarely right."},
	{Code: RulesRestIgnored, Family: "proxy", Title: "the rest of the proxy rules is ignored after a key-less entry",
		Acknowledge: "Rarely right: the ignored entries have no effect."},
	{Code: RulesSeveralEquals, Family: "proxy", Title: "several '=' in one proxy rules entry",
		Acknowledge: "Rarely right: separate entries with ';'."},
	{Code: RulesUnknownScheme, Family: "proxy", Title: "unknown scheme key in proxy rules",
		Acknowledge: "Rarely right: the entry has no effect."},
	{Code: RulesProxyDropped, Family: "proxy", Title: "Chromium drops a proxy it cannot parse",
		Acknowledge: "Rarely right: the proxy has no effect."},
	{Code: RulesSocks4, Family: "proxy", Title: "socks= without a scheme is a SOCKS4 proxy",
		Acknowledge: "The proxy speaks SOCKS4; better, write socks4:// to say so."},
	{Code: RulesHTTPOn443, Family: "proxy", Title: "a proxy without a scheme on port 443 is a plain HTTP proxy",
		Acknowledge: "The proxy really speaks plain HTTP on port 443."},

	{Code: CipherUnknown, Family: "tls", Title: "a disabled cipher suite is unknown to BoringSSL and ignored",
		Acknowledge: "The list is shared with a TLS stack that knows the suite."},
	{Code: CipherTwice, Family: "tls", Title: "a disabled cipher suite is listed twice",
		Acknowledge: "Rarely right: remove the repeat."},

	{Code: PermissionsMissing, Family: "permissions", Title: "a partition without a permissions block grants every permission",
		Acknowledge: "The partition only loads content you trust with every permission."},
	{Code: PermissionRuleDead, Family: "permissions", Title: "a permission rule can never match",
		Acknowledge: "Rarely right: the rule has no effect."},
	{Code: PermissionUnverified, Family: "permissions", Title: "a permission name is not verified for the targeted Electron version",
		Acknowledge: "You checked the name against that Electron version."},
	{Code: PermissionOrigin, Family: "permissions", Title: "an origin pattern reads differently from how it matches",
		Acknowledge: "The match described in the warning is the intended one."},
	{Code: PermissionRuleShadow, Family: "permissions", Title: "a permission rule is shadowed by an earlier rule",
		Acknowledge: "Rarely right: the later rule never decides."},

	{Code: CertificateAcceptAll, Family: "certificates", Title: `certificate "*" accepts every certificate`,
		Acknowledge: "A test partition that must accept any certificate."},
	{Code: CertificateFailAll, Family: "certificates", Title: `certificate "*" fails every TLS connection`,
		Acknowledge: "An offline kiosk that must never load https."},
	{Code: CertificateShadowed, Family: "certificates", Title: "a certificate block is shadowed by an earlier block",
		Acknowledge: "Rarely right: the later block never decides."},

	{Code: SerialNoSelect, Family: "serial", Title: "a serial block without select rules cancels every port request",
		Acknowledge: "Pages must never get a serial port."},
	{Code: SerialProductNoVendor, Family: "serial", Title: "product_id without vendor_id selects any vendor's device",
		Acknowledge: "Every vendor's device with that product ID is acceptable."},
	{Code: SerialSelectAll, Family: "serial", Title: "a select rule without attributes matches every port",
		Acknowledge: "The machine has one serial device."},
	{Code: SerialSelectShadowed, Family: "serial", Title: "a select rule is shadowed by an earlier rule",
		Acknowledge: "Rarely right: the later rule never decides."},
	{Code: SerialUnreachable, Family: "serial", Title: `serial rules are unreachable: the permissions block denies the "serial" check`,
		Acknowledge: "The rules are kept for a permission switched by a variable."},
	{Code: SerialDecimalID, Family: "serial", Title: "a USB ID written as digits is read as decimal",
		Acknowledge: "The ID is decimal; better, write it as a number."},
	{Code: SerialPlatformField, Family: "serial", Title: "a select attribute Electron sets on one operating system only",
		Acknowledge: "The fleet runs that operating system."},

	{Code: SpellLanguageStored, Family: "spellcheck", Title: "a spellchecker language is stored under another code",
		Acknowledge: "You prefer the written form to the stored one."},
	{Code: SpellLanguageTwice, Family: "spellcheck", Title: "a spellchecker language is listed twice",
		Acknowledge: "Rarely right: remove the repeat."},
	{Code: SpellNoLanguages, Family: "spellcheck", Title: "an empty languages list disables spellchecking",
		Acknowledge: "Spellchecking must be off."},
	{Code: SpellWordTwice, Family: "spellcheck", Title: "a custom word is listed twice",
		Acknowledge: "Rarely right: remove the repeat."},
	{Code: SpellDictionaryUnused, Family: "spellcheck", Title: "a provisioned dictionary is not one of the partition's languages",
		Acknowledge: "Another partition of the app uses it (the directory is shared), or languages are set at run time."},
	{Code: SpellDictionaryVersion, Family: "spellcheck", Title: "a dictionary file name cannot be checked for the targeted Electron version",
		Acknowledge: "The name matches that Electron's filenames.hunspell.gni."},

	{Code: ExtensionSameID, Family: "extensions", Title: "two extensions have the same ID; one replaces the other",
		Acknowledge: "Rarely right: only one of them is loaded."},
	{Code: ExtensionLoadWarning, Family: "extensions", Title: "Chromium loads the extension with a warning",
		Acknowledge: "You know the manifest key is unsupported and harmless."},
	{Code: ExtensionPathNotReal, Family: "extensions", Title: "an extension path is not its real path; the profile carries the real path",
		Acknowledge: "You write the path through a symlink or with a trailing separator on purpose, and the ID of the real path is the one you rely on."},
	{Code: ExtensionMetadataGone, Family: "extensions", Title: "Electron deletes the extension's _metadata folder when it loads it",
		Acknowledge: "Nothing you need is in _metadata."},

	{Code: AcceptLanguageEmptyEntry, Family: "user_agent", Title: "empty entry in accept_languages",
		Acknowledge: "Rarely right: remove the extra comma."},
	{Code: AcceptLanguageSpaces, Family: "user_agent", Title: "an accept_languages entry has surrounding spaces",
		Acknowledge: "Rarely right: the header carries the spaces."},
	{Code: AcceptLanguageNotTag, Family: "user_agent", Title: "an accept_languages entry is not a language tag",
		Acknowledge: "The server expects that value."},
	{Code: AcceptLanguagesEmpty, Family: "user_agent", Title: "an empty accept_languages sends no language preference",
		Acknowledge: "Pages must get no language preference."},
	{Code: NetworkEmulationNoop, Family: "network_emulation", Title: "network_emulation emulates nothing",
		Acknowledge: "The block is kept for values set by variables."},
	{Code: NTLMEveryServer, Family: "ntlm", Title: `ntlm_domains "*" sends credentials to every server`,
		Acknowledge: "Every server the app reaches is trusted with the user's credentials."},
	{Code: MaintenanceProxyNoop, Family: "maintenance", Title: "force_reload_proxy_config has nothing to re-read with a direct or fixed_servers proxy",
		Acknowledge: "The proxy mode is switched by a variable, and the generation is raised for the PAC or system mode."},

	{Code: DisplayMediaSystemPicker, Family: "display_media", Title: "use_system_picker applies on macOS 15+ only, where the rules are not consulted",
		Acknowledge: "The fleet runs macOS 15 or later and the user is trusted to pick what to share."},
	{Code: DisplayMediaNoRules, Family: "display_media", Title: "a display_media block without rules denies every getDisplayMedia() call",
		Acknowledge: "Pages must never capture the screen."},
	{Code: DisplayMediaNoSource, Family: "display_media", Title: "an allow rule that names no screen or window never grants a source",
		Acknowledge: "Rarely right: use decision = \"deny\" to deny."},
	{Code: DisplayMediaLoopback, Family: "display_media", Title: "audio loopback captures system audio on Windows only",
		Acknowledge: "The fleet runs Windows."},
	{Code: DisplayMediaOrigin, Family: "display_media", Title: "an origin pattern of a display_media rule matches differently than it reads",
		Acknowledge: "Rarely right: see the detail of the warning."},
	{Code: DisplayMediaShadowed, Family: "display_media", Title: "a display_media rule is shadowed by an earlier rule",
		Acknowledge: "Rarely right: the later rule never decides."},
	{Code: DownloadsOrigin, Family: "downloads", Title: "a downloads origin pattern works differently than it reads",
		Acknowledge: "The pattern's actual meaning is what you want; better, write it in the form the warning suggests."},
	{Code: WebRequestNonStandardScheme, Family: "web_request", Title: "a web_request URL pattern uses \"scheme://\" for a scheme that is standard only if the app registers it",
		Acknowledge: "The app registers the scheme as standard with protocol.registerSchemesAsPrivileged."},
	{Code: WebRequestPortText, Family: "web_request", Title: "a web_request URL pattern's port is written so that it never matches",
		Acknowledge: "Rarely right: write the port as plain digits."},
	{Code: WebRequestRedirectChain, Family: "web_request", Title: "a web_request redirect target is cancelled or redirected again by another rule",
		Acknowledge: "The chain of redirects is intended."},
	{Code: DevicesNoRules, Family: "devices", Title: "a devices block without rules denies every device",
		Acknowledge: "Pages must use no HID, USB or serial device and pair no Bluetooth device."},
	{Code: DevicesOrigin, Family: "devices", Title: "an origin pattern of a devices rule matches differently than it reads",
		Acknowledge: "Rarely right: see the detail of the warning."},
	{Code: DevicesShadowed, Family: "devices", Title: "a devices rule is shadowed by an earlier rule of its type",
		Acknowledge: "Rarely right: the later rule never decides."},
	{Code: DevicesDecimalID, Family: "devices", Title: "a USB ID or usage page written as digits is read as decimal",
		Acknowledge: "The value is decimal; better, write it unquoted."},
	{Code: DevicesEveryOrigin, Family: "devices", Title: "an allow rule without origins grants the device to every origin",
		Acknowledge: "Every page the app loads is trusted with the device."},
	{Code: DevicesProductNoVendor, Family: "devices", Title: "product_id without vendor_id matches any vendor's device",
		Acknowledge: "Rarely right: add vendor_id."},
	{Code: DevicesEveryDevice, Family: "devices", Title: "an allow rule without device attributes grants every device of its type",
		Acknowledge: "The matched origins are trusted with any device of that type."},
	{Code: DevicesCheckDenied, Family: "devices", Title: "the permissions block denies the device type's permission check, so the allow rules are unreachable",
		Acknowledge: "The permissions block is switched by a variable."},
	{Code: DevicesSerialNotAllowed, Family: "devices", Title: "the serial family selects ports the devices block does not allow",
		Acknowledge: "Only ports without a serial number (ephemeral grants) are selected."},
	{Code: DevicesPairingPlatform, Family: "devices", Title: "Bluetooth pairing rules apply on Windows and Linux only",
		Acknowledge: "The fleet runs Windows or Linux."},
	{Code: DevicesSerialWindows, Family: "devices", Title: "serial device rules never match on Windows, where Electron passes no USB IDs",
		Acknowledge: "The fleet runs Linux or macOS."},
	{Code: DevicesFidoHidden, Family: "devices", Title: "the HID chooser does not list FIDO devices to pages",
		Acknowledge: "The app runs with --disable-hid-blocklist, or the device is already granted."},

	{Code: CookieExpiryClamped, Family: "cookies", Title: "a cookie's expiration is more than 400 days after it is set, and Chromium shortens it",
		Acknowledge: "The app restarts (and sets the cookie again) well within 400 days."},
	{Code: CookieExpired, Family: "cookies", Title: "a cookie's expiration is in the past, so setting it deletes it",
		Acknowledge: "The block exists to clear a cookie the site set; better, remove the block."},
}
