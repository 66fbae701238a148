/**
 * Property-based fuzz of every client event over real sockets against a real node (all modules of
 * `createModules`): >= 10,000 payloads per event, mixing valid values, near-misses (one hostile field,
 * extra / `__proto__` / `constructor` keys) and arbitrary junk (NaN, Infinity, typed arrays -> binary
 * attachments, nested objects). Properties:
 * - every acked event is answered, with `{ ok: true }` or a known error code; a payload its schema refuses
 *   (as it arrives: after JSON / binary encoding) gets exactly INVALID_PAYLOAD;
 * - game inputs are never acked: the invalid ones are counted one for one;
 * - afterwards the node answers /readyz, and a well-behaved client that pinged throughout never failed.
 * Rate limits are raised on this node so the fuzz exercises validation; violations are still recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { TSchema } from "typebox";
import { connectClient, login, redisClient, request, startTestNode, type ClientSocket } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { FEATURES } from "../server/features.ts";
import { createLimitsFeature } from "../server/limits/limits-feature.ts";
import { compiled } from "../server/validation.ts";
import { CLIENT_EVENTS, type Ack } from "../shared/protocol.ts";
import { ErrorCode } from "../shared/errors.ts";
import { REGION_IDS } from "../shared/regions.ts";
import { Decoder, Encoder, PacketType } from "socket.io-parser";

const RUNS = 50;
const BATCH = 200; // RUNS * BATCH = 10,000 cases per event
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const HUGE = 100_000_000;

// ---- arbitraries -------------------------------------------------------------------------------------

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 1e308, -1e308, 2 ** 53 + 2, -0, Number.MIN_VALUE, null, undefined, true, false, "", "__proto__", "constructor"),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 2000 }),
  fc.uint8Array({ maxLength: 16 }),
  fc.array(fc.integer(), { maxLength: 4 }),
);

const junk: fc.Arbitrary<unknown> = fc.oneof(
  hostileScalar,
  fc.anything({ maxDepth: 3, maxKeys: 6, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
  fc.dictionary(fc.constantFrom("__proto__", "constructor", "prototype", "t", "s", "x", "lat", "region", "period"), hostileScalar, { maxKeys: 4 }),
);

const validByEvent: Record<(typeof CLIENT_EVENTS)[number], fc.Arbitrary<Record<string, unknown>>> = {
  "queue:join": fc.oneof(
    fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) }),
    fc.record({ region: fc.constantFrom(...REGION_IDS) }),
  ),
  "queue:leave": fc.constant({}),
  "match:input": fc.record({ s: fc.integer({ min: 0, max: 2 ** 31 - 1 }), x: fc.double({ min: -1, max: 1, noNaN: true }), y: fc.double({ min: -1, max: 1, noNaN: true }), d: fc.boolean() }),
  "net:ping": fc.record({ t: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
  "boards:subscribe": fc.record({ period: fc.constantFrom("alltime", "daily", "weekly") }),
  "boards:unsubscribe": fc.record({ period: fc.constantFrom("alltime", "daily", "weekly") }),
};

/** Sets an own, enumerable key (works for `__proto__` too, as JSON.parse would make it). */
function withOwn(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...obj };
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Valid values, near misses (one field or one extra key hostile) and junk, in about equal parts. */
function payloads(event: (typeof CLIENT_EVENTS)[number]): fc.Arbitrary<unknown> {
  const valid = validByEvent[event];
  const nearMiss = fc.oneof(
    fc.tuple(valid, fc.nat(), hostileScalar).map(([v, i, bad]) => {
      const keys = Object.keys(v);
      return keys.length ? withOwn(v, keys[i % keys.length]!, bad) : withOwn(v, "extra", bad);
    }),
    fc.tuple(valid, fc.constantFrom("__proto__", "constructor", "prototype", "extra", "toString"), fc.oneof(hostileScalar, fc.constant({ prototype: { polluted: true } }))).map(([v, k, bad]) => withOwn(v, k, bad)),
  );
  return fc.oneof(valid, nearMiss, junk);
}

// ---- what the server receives ------------------------------------------------------------------------

/**
 * The arguments as the server's handler receives them: run through the same socket.io-parser the client
 * and the server use (JSON, or binary attachments -> Buffers; note a binary packet's `__proto__` keys are
 * lost on the client side, where the parser copies objects by assignment).
 */
function arrives(event: string, payload: unknown): unknown[] {
  const frames = new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data: [event, payload], id: 1 });
  const decoder = new Decoder();
  let args: unknown[] = [];
  decoder.on("decoded", (p: { data?: unknown[] }) => void (args = (p.data ?? []).slice(1)));
  for (const f of frames) decoder.add(f);
  return args;
}
const refusedBy = (schema: TSchema, event: string, payload: unknown) => {
  const args = arrives(event, payload);
  return args.length !== 1 || !compiled(schema).Check(args[0]);
};

const counterValue = async (c: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string> = {}) =>
  (await c.get()).values.filter((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((n, x) => n + x.value, 0);

// ---- the node ----------------------------------------------------------------------------------------

let node: RunningNode;
let good: ClientSocket;
let pinging = true;
let goodPings = 0;
const goodFailures: unknown[] = [];
let pingLoop: Promise<void>;

beforeAll(async () => {
  const big = `${HUGE}/1s`;
  node = await startTestNode(
    {
      RATE_LIMITS: `default=${big},login=${big},queue_join=${big},queue_leave=${big},boards_read=${big},admin_login=${big},ping=${big},bad_token=${big}`,
      BAN_THRESHOLD: "100000",
      IP_BAN_THRESHOLD: "1000000",
    },
    {
      // The real module list, with the input budget opened up so inputs reach validation.
      features: FEATURES.map((f) => (f.name === "limits" ? createLimitsFeature({ input: { ratePerSecond: HUGE } }) : f)),
    },
  );
  const s = await login(node, "Bystander");
  good = await connectClient(node, s.token);
  pingLoop = (async () => {
    while (pinging) {
      const res = await request(good, "net:ping", { t: goodPings }, 10_000).catch((err: unknown) => ({ ok: false, error: err }));
      if (res.ok) goodPings++;
      else goodFailures.push(res);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
}, 60_000);

afterAll(async () => {
  pinging = false;
  await pingLoop;
  good?.close();
  await node?.stop();
});

async function fuzzClient(label: string): Promise<{ sock: ClientSocket; playerId: string }> {
  const s = await login(node, label);
  return { sock: await connectClient(node, s.token), playerId: s.playerId };
}

describe("fuzz: every client event over a real socket", () => {
  for (const event of CLIENT_EVENTS.filter((e) => e !== "match:input")) {
    it(`${event}: ${RUNS * BATCH} payloads, each answered (INVALID_PAYLOAD when its schema refuses it)`, async () => {
      const { sock } = await fuzzClient(`Fuzz ${event.split(":")[1]!.slice(0, 12)}`);
      const schema = node.core.router.schemaOf(event);
      let cases = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(payloads(event), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const acks = (await Promise.all(batch.map((p) => request(sock, event, p, 15_000)))) as Ack<unknown>[];
          acks.forEach((ack, i) => {
            cases++;
            expect(ack === null || typeof ack !== "object" ? "not an ack" : "ack").toBe("ack");
            if (!schema) {
              expect(ack).toMatchObject({ ok: false, error: { code: "UNKNOWN_EVENT" } });
            } else if (refusedBy(schema, event, batch[i])) {
              refused++;
              expect(ack).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
            } else if (!ack.ok) {
              expect(KNOWN_CODES.has(ack.error.code), `unknown code ${ack.error.code}`).toBe(true);
            }
          });
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      expect(cases).toBeGreaterThanOrEqual(10_000);
      if (schema) expect(refused).toBeGreaterThan(cases / 3);
      expect(sock.connected).toBe(true);
      sock.close();
    }, 60_000);
  }

  it(`match:input: ${RUNS * BATCH} frames, never acked, each invalid one dropped and counted`, async () => {
    const { sock, playerId } = await fuzzClient("Fuzz input");
    const schema = node.core.router.schemaOf("match:input");
    const m = node.metrics;
    const before = { invalid: await counterValue(m.invalidPayloads, { event: "match:input" }), unknown: await counterValue(m.unknownEvents), over: await counterValue(m.inputsDropped, { reason: "over_budget" }) };
    let sent = 0;
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(payloads("match:input"), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        for (const p of batch) {
          sock.emit("match:input", p as never);
          sent++;
          if (schema && refusedBy(schema, "match:input", p)) invalid++;
        }
        // One socket's events are handled in order: the ping's answer means every frame was seen.
        expect(await request(sock, "net:ping", { t: sent }, 15_000)).toMatchObject({ ok: true });
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    if (schema) {
      expect(await counterValue(m.invalidPayloads, { event: "match:input" })).toBe(before.invalid + invalid);
      expect(await counterValue(m.inputsDropped, { reason: "over_budget" })).toBe(before.over);
      expect(invalid).toBeGreaterThan(sent / 3);
    } else {
      expect(await counterValue(m.unknownEvents)).toBeGreaterThanOrEqual(before.unknown + sent);
    }
    expect(sock.connected).toBe(true);
    // Escalation saw it: this player's violation score grew (bans are out of reach on this node).
    const limits = node.service("limits");
    await limits.abuse.flush();
    const redis = redisClient();
    expect(Number(await redis.hget(node.core.keys.limits.violations(`p:${playerId}`), "s"))).toBeGreaterThan(0);
    await redis.quit();
    sock.close();
  }, 60_000);

  it("leaves the node healthy and a well-behaved client unaffected", async () => {
    const ready = await fetch(`${node.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(good.connected).toBe(true);
    expect(goodFailures).toEqual([]);
    expect(goodPings).toBeGreaterThan(10);
    expect(await request(good, "net:ping", { t: 1 })).toMatchObject({ ok: true, data: { t: 1 } });
  });
});
