/**
 * A tiny UDP DNS server standing in for Docker's embedded DNS (127.0.0.11) in tests: it answers A queries
 * for the names it is given, one A record per address, like Docker does for the replicas of a service.
 * Everything else gets an empty NOERROR answer. Enough for HAProxy's `resolvers` (RFC 1035 wire format,
 * EDNS0 additional records ignored); not a general DNS server.
 */
import { createSocket, type Socket } from "node:dgram";

export interface DnsStub {
  /** host:port to give HAProxy as its nameserver. */
  address: string;
  /** Replaces the addresses a name resolves to (e.g. a container is gone). */
  set(name: string, ipv4: string[]): void;
  close(): Promise<void>;
}

const TYPE_A = 1;
const CLASS_IN = 1;

/** Reads the question name starting at `offset`; returns the lower-cased name and the offset after it. */
function readName(msg: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  for (;;) {
    const len = msg[offset];
    if (len === undefined) throw new Error("truncated name");
    if (len === 0) return [labels.join(".").toLowerCase(), offset + 1];
    if (len > 63) throw new Error("compressed names are not expected in a question");
    labels.push(msg.toString("ascii", offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
}

function answer(query: Buffer, records: Map<string, string[]>): Buffer | null {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return null;
  const [name, end] = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const ips = qtype === TYPE_A ? (records.get(name) ?? []) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  // QR=1, opcode 0, AA=1, RD copied, RA=1; RCODE 0, or 3 (NXDOMAIN) for a name we do not know.
  header.writeUInt16BE(0x8480 | (query.readUInt16BE(2) & 0x0100) | (records.has(name) ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ips.length, 6);
  const rrs = ips.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(1, 6); // TTL 1 s, like Docker's short-lived answers
    rr.writeUInt16BE(4, 10);
    ip.split(".").forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
    return rr;
  });
  return Buffer.concat([header, question, ...rrs]);
}

/** Starts the stub on 127.0.0.1 (a free UDP port) with the given name -> IPv4 addresses. */
export async function startDnsStub(initial: Record<string, string[]>): Promise<DnsStub> {
  const records = new Map(Object.entries(initial).map(([k, v]) => [k.toLowerCase(), v]));
  const sock: Socket = createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    try {
      const reply = answer(msg, records);
      if (reply) sock.send(reply, rinfo.port, rinfo.address);
    } catch {
      // A malformed query gets no answer, as from a real server that drops it.
    }
  });
  await new Promise<void>((ok) => sock.bind(0, "127.0.0.1", ok));
  return {
    address: `127.0.0.1:${sock.address().port}`,
    set: (name, ipv4) => void records.set(name.toLowerCase(), ipv4),
    close: () => new Promise((ok) => sock.close(() => ok())),
  };
}
