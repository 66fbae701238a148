/**
 * The client's pure game-side logic (no DOM): input frames, prediction + reconciliation against the real
 * simulation over a simulated network, and snapshot interpolation.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_GAME_CONFIG, createMatch, step, toSnapshot, type SimState } from "../shared/game/sim.ts";
import type { InputFrame, Snapshot } from "../shared/game/types.ts";
import { InputSender } from "../client/src/input-sender.ts";
import { Predictor } from "../client/src/prediction.ts";
import { SnapshotBuffer } from "../client/src/interpolation.ts";

describe("InputSender", () => {
  it("waits for the server's sequence, then sends on change at most every 33 ms, and keeps alive", () => {
    const sent: InputFrame[] = [];
    const s = new InputSender((f) => sent.push(f));
    expect(s.update({ x: 1, y: 0, d: false }, 0)).toBeUndefined();
    s.sync(41);
    expect(s.update({ x: 1, y: 0, d: false }, 10)).toEqual({ s: 42, x: 1, y: 0, d: false });
    // Same controls: nothing until the keep-alive; a change inside 33 ms waits for the next frame after.
    expect(s.update({ x: 1, y: 0, d: false }, 100)).toBeUndefined();
    expect(s.update({ x: 0, y: 1, d: true }, 20)).toBeUndefined();
    expect(s.update({ x: 0, y: 1, d: true }, 50)).toEqual({ s: 43, x: 0, y: 1, d: true });
    expect(s.update({ x: 0, y: 1, d: true }, 299)).toBeUndefined();
    expect(s.update({ x: 0, y: 1, d: true }, 300)).toMatchObject({ s: 44 });
    // Directions are clamped and rounded to two decimals; there is no way to send a position.
    expect(s.update({ x: 0.70710678, y: -5, d: false }, 400)).toEqual({ s: 45, x: 0.71, y: -1, d: false });
    expect(sent.map((f) => Object.keys(f).sort().join())).toEqual(Array(4).fill("d,s,x,y"));
    // At most ~30 per second however often it is called.
    for (let t = 1000; t < 2000; t += 4) s.update({ x: Math.sin(t), y: 0, d: false }, t);
    expect(sent.length - 4).toBeLessThanOrEqual(31);
  });

  it("never lowers the sequence when the server's is older (rejoin after a reload keeps growing)", () => {
    const s = new InputSender(() => {});
    s.sync(10);
    s.update({ x: 1, y: 0, d: false }, 0);
    s.reset();
    s.sync(3);
    expect(s.update({ x: 1, y: 0, d: false }, 100)?.s).toBe(12);
  });
});

/**
 * A little world: a host that applies each player's latest input every 50 ms tick (like server/matches),
 * a client drawing at 60 Hz, and a network with a fixed one-way delay in each direction.
 */
function playOverNetwork(oneWayMs: number, plan: (t: number) => { x: number; y: number; d: boolean }, durationMs: number) {
  let server: SimState = createMatch(9, 1, { countdownMs: 0, durationMs: 600_000 });
  server = { ...server, orbs: [] };
  const toServer: { at: number; f: InputFrame }[] = [];
  const toClient: { at: number; snap: Snapshot }[] = [];
  const sender = new InputSender((f) => toServer.push({ at: now + oneWayMs, f }));
  const predictor = new Predictor(DEFAULT_GAME_CONFIG);
  const corrections: number[] = [];
  let latest: InputFrame | undefined;
  let now = 0;
  let nextTick = 50;
  let nextFrame = 16;
  const first = toSnapshot(server, "m");
  predictor.reset(first.p[0]!);
  sender.sync(0);
  for (now = 0; now <= durationMs; now++) {
    while (toServer[0] && toServer[0].at <= now) latest = toServer.shift()!.f;
    if (now >= nextTick) {
      nextTick += 50;
      server = step(server, [latest], 50);
      toClient.push({ at: now + oneWayMs, snap: toSnapshot(server, "m") });
    }
    while (toClient[0] && toClient[0].at <= now) {
      const snap = toClient.shift()!.snap;
      predictor.reconcile(snap.p[0]!, now, 2 * oneWayMs);
      corrections.push(predictor.lastCorrection);
    }
    if (now >= nextFrame) {
      nextFrame += 16;
      sender.update(plan(now), now);
      predictor.advance(sender.current, 16, now);
    }
  }
  return { server, predictor, corrections: corrections.slice(10) };
}

describe("Predictor", () => {
  it("takes the server's row when everything is acknowledged, replays what is not", () => {
    const p = new Predictor(DEFAULT_GAME_CONFIG);
    const row = toSnapshot(createMatch(1, 1, { countdownMs: 0 }), "m").p[0]!;
    p.reset(row);
    const f1: InputFrame = { s: 1, x: 1, y: 0, d: false };
    for (let i = 1; i <= 6; i++) p.advance(f1, 16, i * 16);
    const moved = p.state!.x - row[1];
    expect(moved).toBeCloseTo((DEFAULT_GAME_CONFIG.playerSpeed * 96) / 1000, 6);
    // The server has not seen input 1 yet: replay all of it on top of its row.
    p.reconcile(row, 100, 50);
    expect(p.state!.x - row[1]).toBeCloseTo(moved, 6);
    // The server applied input 1 and more than a round trip has passed since: its row is the truth.
    const acked: typeof row = [...row];
    acked[1] = row[1] + 10;
    acked[4] = 1;
    p.reconcile(acked, 1000, 50);
    expect(p.state!.x).toBe(acked[1]);
    // The correction is eased on screen, not snapped.
    const drawn = p.rendered(16)!;
    expect(drawn.x).not.toBe(acked[1]);
    for (let i = 0; i < 40; i++) p.rendered(16);
    expect(p.rendered(16)!.x).toBeCloseTo(acked[1], 1);
  });

  it("stays close to the authoritative host over a laggy network while steering and dashing", () => {
    const plan = (t: number) => {
      const phase = Math.floor(t / 700) % 4;
      const dirs = [
        [1, 0],
        [0, 1],
        [-1, 0.5],
        [0, -1],
      ] as const;
      return { x: dirs[phase]![0], y: dirs[phase]![1], d: t % 2800 > 1400 && t % 2800 < 1440 };
    };
    for (const oneWay of [20, 60]) {
      const { corrections } = playOverNetwork(oneWay, plan, 8000);
      corrections.sort((a, b) => a - b);
      const median = corrections[Math.floor(corrections.length / 2)]!;
      const worst = corrections[corrections.length - 1]!;
      // Walking covers 13 units per tick and a dash 45; measured here: median ~0.5, worst ~15.
      expect(median).toBeLessThan(2);
      expect(worst).toBeLessThan(30);
    }
  });
});

describe("SnapshotBuffer", () => {
  const snap = (n: number, x: number): Snapshot => ({ m: "m", n, ph: "playing", t: 1000, p: [[1, x, 100, 0, 0, 0, 200, 0, 0, 0]], o: [] });

  it("draws others between the two snapshots around now - delay", () => {
    const b = new SnapshotBuffer(50);
    for (let n = 1; n <= 5; n++) b.push(snap(n, n * 10), n * 50 + 30);
    // At local 280 with 100 ms delay: render tick (280 - 100 - 30) / 50 = 3.
    expect(b.players(280, 100)[0]!.x).toBeCloseTo(30, 6);
    expect(b.players(305, 100)[0]!.x).toBeCloseTo(35, 6);
    // A late snapshot does not move the clock later; an early one does (jitter only delays).
    b.push(snap(6, 60), 6 * 50 + 80);
    expect(b.players(305, 100)[0]!.x).toBeCloseTo(35, 0);
    // Past the newest snapshot: extrapolated on velocity, but only briefly.
    expect(b.players(1000, 0)[0]!.x).toBeCloseTo(60 + 200 * 0.12, 6);
    expect(b.push(snap(6, 99), 400)).toBe(false);
  });

  it("starts over when tick numbers go back (a new host resumed from its checkpoint)", () => {
    const b = new SnapshotBuffer(50);
    for (let n = 100; n <= 110; n++) b.push(snap(n, n), n * 50);
    expect(b.push(snap(90, 5), 111 * 50)).toBe(true);
    expect(b.size).toBe(1);
    expect(b.players(111 * 50, 100)[0]!.x).toBe(5);
  });
});
