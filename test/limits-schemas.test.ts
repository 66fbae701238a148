/**
 * Validation: every schema in shared/schemas.ts refuses NaN/Infinity, huge numbers, long strings,
 * `__proto__`/`constructor`/extra keys and wrong types (generic sweep), each client event's schema refuses
 * its own bad cases (table), and what socket.io and Fastify actually deliver for hostile wire input
 * (raw packets: 1e400 parses to Infinity, own `__proto__` keys, binary attachments, oversize frames).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IsSchema, type TSchema } from "typebox";
import { Value } from "typebox/value";
import * as schemas from "../shared/schemas.ts";
import { CLIENT_EVENTS } from "../shared/protocol.ts";
import { compiled } from "../server/validation.ts";
import { connectClient, login, request, startTestNode, type ClientSocket } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { stubFeature } from "./helpers/stub-feature.ts";
import { playersFeature } from "../server/players/players-feature.ts";
import { sessionsFeature } from "../server/sessions/sessions-feature.ts";
import { limitsFeature } from "../server/limits/limits-feature.ts";

/** Valid samples for schemas TypeBox cannot make up by itself (patterns), and every branch of a union. */
const SAMPLES: Record<string, unknown[]> = {
  SessionCreateBody: [{ deviceId: "device-0001", name: "Zoë" }],
  QueueJoinRequest: [{ lat: 48.85, lon: 2.35 }, { region: "eu-west" }],
  InputFrameSchema: [{ s: 12, x: 0.5, y: -1, d: true }],
  PingRequest: [{ t: 1_700_000_000_000 }],
  BanCreateBody: [{ kind: "ip", id: "::ffff:127.0.0.1", seconds: 60, reason: "spam" }, { kind: "player", id: "HU1X_Fp5rbue" }],
  BanParams: [{ kind: "player", id: "HU1X_Fp5rbue" }],
  LeaderboardAroundParams: [{ period: "daily", playerId: "HU1X_Fp5rbue" }],
  LeaderboardQuery: [{ date: "2026-11-22", limit: "10", offset: "0" }],
  LeaderboardAroundQuery: [{ date: "2026-W47", radius: "5" }],
  PlayerParams: [{ id: "HU1X_Fp5rbue" }],
};

/** The schema of each client event (kept next to the protocol list: a new event without a schema fails below). */
const EVENT_SCHEMAS: Record<(typeof CLIENT_EVENTS)[number], TSchema> = {
  "queue:join": schemas.QueueJoinRequest,
  "queue:leave": schemas.Empty,
  "match:input": schemas.InputFrameSchema,
  "net:ping": schemas.PingRequest,
  "boards:subscribe": schemas.BoardsSubscribeRequest,
  "boards:unsubscribe": schemas.BoardsSubscribeRequest,
};

const LONG = "x".repeat(100_000);
const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });
/** Values no field of any schema may take. */
const HOSTILE_VALUES: [string, unknown][] = [
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
  ["1e308", 1e308],
  ["-1e308", -1e308],
  ["2^53+2", 2 ** 53 + 2],
  ["100k-char string", LONG],
  ["null", null],
  ["array", [1, 2, 3]],
  ["nested object", { x: 1 }],
  ["own __proto__ object", JSON.parse('{"__proto__":{"polluted":true}}')],
  ["deep nesting", deep(200)],
  ["binary", Buffer.from("x")],
  ["function", () => 1],
];

const allSchemas = Object.entries(schemas).filter(([, v]) => IsSchema(v)) as [string, TSchema][];
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const propertiesOf = (s: TSchema): string[] => {
  const branches = (s as { anyOf?: TSchema[] }).anyOf ?? [s];
  return [...new Set(branches.flatMap((b) => Object.keys((b as { properties?: object }).properties ?? {})))];
};

describe("every schema in shared/schemas.ts", () => {
  it("is covered here (each has a valid sample)", () => {
    expect(allSchemas.length).toBeGreaterThanOrEqual(10);
    for (const [name, schema] of allSchemas) {
      let samples = SAMPLES[name];
      if (!samples) {
        try {
          samples = [Value.Create(schema)];
        } catch {
          throw new Error(`add a valid sample for ${name} to SAMPLES in test/limits-schemas.test.ts`);
        }
      }
      for (const s of samples) expect(compiled(schema).Check(s), `${name} sample ${JSON.stringify(s)}`).toBe(true);
    }
  });

  for (const [name, schema] of allSchemas) {
    it(`${name} refuses hostile values, at the top and in every field`, () => {
      const v = compiled(schema);
      for (const [label, bad] of [...HOSTILE_VALUES, ["undefined", undefined], ["true", true], ["number", 1]] as [string, unknown][]) {
        // A literal union (e.g. LeaderboardPeriod) is a value, not an object: it still refuses all of these.
        expect(v.Check(bad), `${name} accepted top-level ${label}`).toBe(false);
      }
      const samples = SAMPLES[name] ?? [Value.Create(schema)];
      for (const sample of samples.filter(isPlainObject)) {
        const json = JSON.stringify(sample);
        const withKey = (extra: string) => JSON.parse(`${json.slice(0, -1)}${json.length > 2 ? "," : ""}${extra}}`);
        expect(v.Check(withKey('"extra":1')), `${name} accepted an extra key`).toBe(false);
        expect(v.Check(withKey('"__proto__":{"polluted":true}')), `${name} accepted own __proto__`).toBe(false);
        expect(v.Check(withKey('"constructor":{"prototype":{"polluted":true}}')), `${name} accepted constructor`).toBe(false);
        expect(v.Check(withKey('"prototype":1')), `${name} accepted prototype`).toBe(false);
        for (const key of propertiesOf(schema)) {
          for (const [label, bad] of HOSTILE_VALUES) {
            expect(v.Check({ ...sample, [key]: bad }), `${name}.${key} accepted ${label}`).toBe(false);
          }
        }
      }
    });
  }
});

describe("each client event's schema", () => {
  const cases: Record<(typeof CLIENT_EVENTS)[number], { ok: unknown[]; bad: unknown[] }> = {
    "queue:join": {
      ok: [{ lat: 0, lon: 0 }, { lat: -90, lon: 180 }, { region: "oc" }],
      bad: [{}, { lat: 91, lon: 0 }, { lat: 0, lon: -180.0001 }, { lat: "1", lon: 2 }, { lat: 1 }, { region: "mars" }, { region: "toString" }, { region: "eu-west", lat: 1, lon: 1 }, { lat: 1, lon: 1, skill: 9000 }],
    },
    "queue:leave": { ok: [{}], bad: [{ ticketId: "x" }, "", 0] },
    "match:input": {
      ok: [{ s: 0, x: -1, y: 1, d: false }, { s: 2 ** 31 - 1, x: 0, y: 0, d: true }],
      bad: [{ s: -1, x: 0, y: 0, d: false }, { s: 1.5, x: 0, y: 0, d: false }, { s: 2 ** 31, x: 0, y: 0, d: false }, { s: 1, x: 1.0001, y: 0, d: false }, { s: 1, x: 0, y: 0, d: 1 }, { s: 1, x: 0, y: 0 }, { s: 1, x: "0", y: 0, d: true }],
    },
    "net:ping": { ok: [{ t: 0 }, { t: Number.MAX_SAFE_INTEGER }], bad: [{ t: -1 }, { t: Number.MAX_SAFE_INTEGER + 2 }, { t: "1" }, { t: true }, {}] },
    "boards:subscribe": { ok: [{ period: "daily" }], bad: [{ period: "monthly" }, { period: "DAILY" }, { period: "daily", x: 1 }, { period: ["daily"] }] },
    "boards:unsubscribe": { ok: [{ period: "weekly" }], bad: [{ period: "" }, {}] },
  };
  for (const event of CLIENT_EVENTS) {
    it(`${event}: accepts its good cases and refuses its bad ones`, () => {
      const v = compiled(EVENT_SCHEMAS[event]);
      for (const ok of cases[event].ok) expect(v.Check(ok), `${event} refused ${JSON.stringify(ok)}`).toBe(true);
      for (const bad of [...cases[event].bad, ...HOSTILE_VALUES.map(([, x]) => x)]) expect(v.Check(bad), `${event} accepted ${JSON.stringify(bad)}`).toBe(false);
    });
  }
});

describe("what arrives over the wire", () => {
  let node: RunningNode;
  beforeAll(async () => {
    const stub = stubFeature(() => ({
      registerEvents(router) {
        router.handle("queue:join", schemas.QueueJoinRequest, "queue_join", () => ({ ticketId: "t", region: "eu-west" as const, estimatedWaitMs: 0 }));
      },
    }));
    node = await startTestNode({ MAX_PAYLOAD_BYTES: "4096", RATE_LIMITS: "default=100000/1s,queue_join=100000/1s", BAN_THRESHOLD: "100000", IP_BAN_THRESHOLD: "1000000" }, { features: [playersFeature, sessionsFeature, limitsFeature, stub] });
  });
  afterAll(() => node.stop());

  /** Sends one raw socket.io packet (text or binary frames) and resolves with the ack's payload. */
  function raw(sock: ClientSocket, id: number, frames: (string | Buffer)[]): Promise<unknown> {
    const engine = (sock.io as unknown as { engine: { write(d: string | Buffer): void; on(e: "data", f: (d: unknown) => void): void; off(e: "data", f: (d: unknown) => void): void } }).engine;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no ack ${id}`)), 5000);
      const onData = (d: unknown) => {
        if (typeof d === "string" && d.startsWith(`3${id}[`)) {
          clearTimeout(timer);
          engine.off("data", onData);
          ok((JSON.parse(d.slice(`3${id}`.length)) as unknown[])[0]);
        }
      };
      engine.on("data", onData);
      for (const f of frames) engine.write(f);
    });
  }

  it("refuses Infinity (1e400 in JSON), own __proto__/constructor keys and binary attachments, with INVALID_PAYLOAD", async () => {
    const s = await login(node, "Wire");
    const sock = await connectClient(node, s.token);
    const invalid = { ok: false, error: { code: "INVALID_PAYLOAD" } };
    let id = 9000;
    expect(await raw(sock, ++id, [`2${id}["net:ping",{"t":1e400}]`])).toMatchObject(invalid);
    expect(await raw(sock, ++id, [`2${id}["queue:join",{"lat":-1e400,"lon":0}]`])).toMatchObject(invalid);
    expect(await raw(sock, ++id, [`2${id}["net:ping",{"t":1,"__proto__":{"polluted":true}}]`])).toMatchObject(invalid);
    expect(await raw(sock, ++id, [`2${id}["net:ping",{"__proto__":{"t":1}}]`])).toMatchObject(invalid);
    expect(await raw(sock, ++id, [`2${id}["net:ping",{"t":1,"constructor":{"prototype":{"polluted":true}}}]`])).toMatchObject(invalid);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A binary attachment arrives as a Buffer where a number was expected.
    expect(await raw(sock, ++id, [`51-${id}["net:ping",{"t":{"_placeholder":true,"num":0}}]`, Buffer.from([1, 2, 3])])).toMatchObject(invalid);
    // Extra arguments, or none: still answered, never a crash.
    expect(await raw(sock, ++id, [`2${id}["net:ping",{"t":1},{"t":2}]`])).toMatchObject(invalid);
    expect(await raw(sock, ++id, [`2${id}["net:ping"]`])).toMatchObject(invalid);
    // A numeric event name is legal socket.io: unknown here.
    expect(await raw(sock, ++id, [`2${id}[42,{"t":1}]`])).toMatchObject({ ok: false, error: { code: "UNKNOWN_EVENT" } });
    // A well-formed request still works on the same socket.
    expect(await raw(sock, ++id, [`2${id}["net:ping",{"t":5}]`])).toMatchObject({ ok: true, data: { t: 5 } });
    sock.close();
  });

  it("cuts a message over MAX_PAYLOAD_BYTES by closing that connection only", async () => {
    const s = await login(node, "Big");
    const big = await connectClient(node, s.token);
    const other = await connectClient(node, (await login(node, "Bystander")).token);
    const gone = new Promise<string>((ok) => big.once("disconnect", (r) => ok(r)));
    big.emit("net:ping", { t: 1, pad: "x".repeat(8000) } as never, () => {});
    expect(await gone).toBe("transport close");
    expect(await request(other, "net:ping", { t: 3 })).toMatchObject({ ok: true, data: { t: 3 } });
    other.close();
  });

  it("refuses hostile HTTP bodies: prototype poisoning, extra keys, oversize", async () => {
    const post = (body: string) => fetch(`${node.url}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body });
    for (const body of [
      '{"deviceId":"device-0001","name":"A","__proto__":{"polluted":true}}',
      '{"deviceId":"device-0001","name":"A","constructor":{"prototype":{"polluted":true}}}',
      '{"deviceId":"device-0001","name":"A","admin":true}',
      '{"deviceId":"device-0001","name":1e400}',
      '{"deviceId":"device-0001","name":"' + "n".repeat(100) + '"}',
      "[]",
      "null",
    ]) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID_PAYLOAD");
    }
    const huge = await post(JSON.stringify({ deviceId: "device-0001", name: "x".repeat(5000) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });
});
