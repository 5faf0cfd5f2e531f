import ipaddr from 'ipaddr.js';

/** IANA's global unicast block: every public IPv6 address is inside it, so anything outside is refused outright. */
const globalUnicast = ipaddr.parseCIDR('2000::/3');

/**
 * Whether an IP address is one a webhook must not reach (SSRF). The ranges are the IP-range library's, kept up
 * to date with the RFCs, not a list of our own: an address passes only when the library calls it plain
 * `unicast` (so loopback, private, link-local, NAT64, 6to4, Teredo, site-local, reserved and documentation
 * ranges are all refused), and an IPv6 one must also be global unicast (`::7f00:1`, IPv4-compatible, is not).
 * An IPv4-mapped IPv6 address is judged by the IPv4 address inside it.
 * Anything that does not parse as an address (a host name) is not an address and answers false.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return false;
  // `process` turns an IPv4-mapped address into its IPv4 address, and reads loose IPv4 forms (`0x7f.1`) as such.
  const parsed = ipaddr.process(bare);
  if (parsed.range() !== 'unicast') return true;
  return parsed.kind() === 'ipv6' && !parsed.match(globalUnicast);
}

/** A host name that always means this machine. */
export const isLocalHostName = (hostname: string): boolean =>
  /^localhost\.?$/i.test(hostname) || /\.localhost\.?$/i.test(hostname);
