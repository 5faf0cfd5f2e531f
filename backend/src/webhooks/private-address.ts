import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
// Loopback, private, link-local (cloud metadata), carrier-grade NAT, benchmarking, multicast and reserved ranges.
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/**
 * Whether an IP address is one a webhook must not reach (SSRF): loopback, private networks, link-local and other
 * non-public ranges. An IPv4-mapped IPv6 address is judged by the IPv4 address inside it.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = bare.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) return /^::ffff:/i.test(bare) || blocked.check(bare, 'ipv6');
  return false;
}

/** A host name that always means this machine. */
export const isLocalHostName = (hostname: string): boolean =>
  /^localhost\.?$/i.test(hostname) || /\.localhost\.?$/i.test(hostname);
