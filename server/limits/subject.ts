/**
 * Who a limit, violation or ban is about, as the string used inside Redis keys: `p:<playerId>` or
 * `ip:<address>`. The string becomes a hash tag, so it must never carry `{` or `}`. An address is taken
 * as its group (core/address.ts: IPv4, or the /64 of an IPv6 address).
 */
import { addressGroup } from "../core/address.ts";

export type SubjectKind = "player" | "ip";

export interface Subject {
  kind: SubjectKind;
  id: string;
  /** Key form: `p:<id>` / `ip:<id>`. */
  key: string;
}

// An address may come from X-Forwarded-For (client-controlled behind some proxies): keep key-safe
// characters only, so a crafted header cannot break a hash tag or grow a key without bound.
const UNSAFE = /[^A-Za-z0-9:._-]/g;
const clean = (s: string) => s.replace(UNSAFE, "_").slice(0, 64) || "_";

/** A player's subject. */
export function playerSubject(playerId: string): Subject {
  const id = clean(playerId);
  return { kind: "player", id, key: `p:${id}` };
}

/** An IP address's subject (its group: IPv4, or an IPv6 /64). */
export function ipSubject(ip: string): Subject {
  const id = clean(addressGroup(ip));
  return { kind: "ip", id, key: `ip:${id}` };
}

/** Builds a subject from its kind and id (admin routes). */
export function subjectOf(kind: SubjectKind, id: string): Subject {
  return kind === "player" ? playerSubject(id) : ipSubject(id);
}

/** Parses a key form back (`p:abc` -> player abc); null when it is neither. */
export function parseSubjectKey(key: string): Subject | null {
  if (key.startsWith("p:")) return playerSubject(key.slice(2));
  if (key.startsWith("ip:")) return ipSubject(key.slice(3));
  return null;
}
