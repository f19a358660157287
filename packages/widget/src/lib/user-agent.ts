/** What an agent wants to know of a visitor's user-agent string: the browser, its major version, the OS. */
export interface UserAgentInfo {
  browser: string | null;
  version: string | null;
  os: string | null;
}

// Order matters: Edge, Opera and Samsung Internet also say "Chrome"; Chrome also says "Safari".
const BROWSERS: readonly [name: string, pattern: RegExp][] = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\b(?:OPR|OPiOS)\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:HeadlessChrome|Chrome|CriOS|Chromium)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)(?:\.\d+)*(?: Mobile\/\w+)? Safari\//],
];

// iOS and Android before macOS and Linux: their strings name those too.
const SYSTEMS: readonly [name: string, pattern: RegExp][] = [
  ['iOS', /\b(?:iPhone|iPad|iPod)\b/],
  ['Android', /\bAndroid\b/],
  ['Windows', /\bWindows\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['macOS', /\bMac OS X\b|\bMacintosh\b/],
  ['Linux', /\bLinux\b|\bX11\b/],
];

/** The browser, major version and OS a user-agent string names; nulls for what it does not. */
export function parseUserAgent(ua: string): UserAgentInfo {
  let browser: string | null = null;
  let version: string | null = null;
  for (const [name, pattern] of BROWSERS) {
    const match = pattern.exec(ua);
    if (match) {
      browser = name;
      version = match[1] ?? null;
      break;
    }
  }
  const os = SYSTEMS.find(([, pattern]) => pattern.test(ua))?.[0] ?? null;
  return { browser, version, os };
}

/**
 * "Chrome 156 on Linux" (`on` joins the two in the reader's language), "Firefox 128", or, for a
 * string naming no browser we know, the string itself cut to `max` characters.
 */
export function describeUserAgent(ua: string, on: (browser: string, os: string) => string, max = 60): string {
  const { browser, version, os } = parseUserAgent(ua);
  if (!browser) return shorten(ua.trim(), max);
  const named = version ? `${browser} ${version}` : browser;
  return os ? on(named, os) : named;
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
