/**
 * Client addresses as every per-address budget sees them: which peer sent a request (through trusted
 * proxies only), and the group an address belongs to for limits.
 *
 * Grouping: an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a node listening on `::` sees) is the IPv4
 * address; any other IPv6 address counts as its /64, because one subscriber line or host gets a whole /64
 * and could otherwise take a fresh budget per address.
 */
import type { IncomingMessage } from "node:http";
import { isIPv6 } from "node:net";
import proxyaddr from "@fastify/proxy-addr";

/** Decides whether a directly connected peer is a trusted proxy (whose X-Forwarded-For is believed). */
export type TrustFn = (addr: string, hop: number) => boolean;

/** Compiles a TRUST_PROXY list (addresses, CIDRs, `loopback`...); an empty list trusts nobody. */
export function compileTrust(list: readonly string[]): TrustFn {
  if (list.length === 0) return () => false;
  return proxyaddr.compile([...list]);
}

/**
 * The client address of a request: the socket's peer, or, when that peer is a trusted proxy, the
 * right-most X-Forwarded-For entry not itself a trusted proxy. Entries left of it are never believed.
 */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  return proxyaddr(req, trust);
}

/** Expands an IPv6 address into its 8 hextets (no zone id); null when it is not IPv6. */
function hextets(addr: string): number[] | null {
  const bare = addr.split("%")[0]!;
  if (!isIPv6(bare)) return null;
  let [head, tail] = bare.includes("::") ? bare.split("::") as [string, string] : [bare, null];
  const parse = (s: string) => (s ? s.split(":") : []);
  let left = parse(head);
  let right = tail === null ? [] : parse(tail);
  // A dotted IPv4 tail (::ffff:1.2.3.4) is two hextets.
  const fixV4 = (parts: string[]) => {
    const last = parts[parts.length - 1];
    if (last && last.includes(".")) {
      const o = last.split(".").map(Number) as [number, number, number, number];
      parts.splice(parts.length - 1, 1, ((o[0] << 8) | o[1]).toString(16), ((o[2] << 8) | o[3]).toString(16));
    }
    return parts;
  };
  left = fixV4(left);
  right = fixV4(right);
  const missing = 8 - left.length - right.length;
  const all = tail === null ? left : [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right];
  return all.map((h) => parseInt(h, 16));
}

/** The group an address is limited as: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by /64. */
export function addressGroup(addr: string): string {
  const h = hextets(addr);
  if (!h) return addr;
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) {
    return `${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`;
  }
  return `${h.slice(0, 4).map((x) => x.toString(16)).join(":")}::/64`;
}
