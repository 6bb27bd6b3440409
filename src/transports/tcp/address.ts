/**
 * Node addresses as the engine writes them: "host:port", or "[v6]:port" for an IPv6 literal
 * (the form the seed protocol's `IP[:port]` and URLs use). Parsing is strict: a port of
 * 1..65535, no spaces; anything else is a typed `null` for the runtime to report as
 * 'bad-address' (an engine output, never a throw).
 */

export interface HostPort {
  host: string;
  port: number;
}

/** "host:port" or "[v6]:port" → parts, or null. */
export function parseAddress(address: string): HostPort | null {
  const match = /^\[([^\]\s]+)\]:(\d{1,5})$/.exec(address) ?? /^([^:\s]+):(\d{1,5})$/.exec(address);
  if (match === null) return null;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1] as string, port } : null;
}

/** The inverse of `parseAddress`. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
