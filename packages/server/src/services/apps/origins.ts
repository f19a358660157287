/**
 * Allowed-origin patterns: an exact origin (`https://shop.example.com`), any port
 * (`http://localhost:*`) or any subdomain (`https://*.example.com`). `*` alone and `null` are
 * never allowed: a page whose origin the browser hides must not talk to an app.
 */
const PATTERN = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}|\*))?$/i;

export function isValidOriginPattern(pattern: string): boolean {
  return PATTERN.test(pattern);
}

export function originMatches(pattern: string, origin: string): boolean {
  const p = PATTERN.exec(pattern);
  if (!p) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // Browsers send the serialized origin; anything else (a path, userinfo) is not one.
  if (url.origin !== origin) return false;
  const [, scheme, wildcardSub, host, port] = p;
  if (scheme === undefined || host === undefined) return false;
  if (url.protocol !== `${scheme.toLowerCase()}:`) return false;
  const originHost = url.hostname.toLowerCase();
  const patternHost = host.toLowerCase();
  if (wildcardSub ? !originHost.endsWith(`.${patternHost}`) : originHost !== patternHost) return false;
  if (port === '*') return true;
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  return (url.port || defaultPort) === (port ?? defaultPort);
}

export function originAllowed(patterns: readonly string[], origin: string): boolean {
  if (origin === 'null') return false;
  return patterns.some((pattern) => originMatches(pattern, origin));
}
