/** The pure simulation, tested by calling it: no Redis, sockets or timers. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_GAME_CONFIG,
  GAME_RULES,
  advance,
  advancePlayer,
  createMatch,
  nextRandom,
  orbTarget,
  standings,
  step,
  toSnapshot,
  type PlayerState,
  type SimState,
} from "../shared/game/sim.ts";
import type { InputFrame } from "../shared/game/types.ts";

const TICK = 50;
const W = DEFAULT_GAME_CONFIG.arenaWidth;
const H = DEFAULT_GAME_CONFIG.arenaHeight;
const R = DEFAULT_GAME_CONFIG.playerRadius;

/** A match already in play, with no orbs unless given and players where asked. */
function arena(positions: [number, number][], orbs: SimState["orbs"] = []): SimState {
  const base = createMatch(1, positions.length, { countdownMs: 0 });
  return {
    ...base,
    orbs,
    players: base.players.map((p, i) => ({ ...p, x: positions[i]![0], y: positions[i]![1] })),
  };
}

function run(s: SimState, ticks: number, inputs: (tick: number) => (InputFrame | undefined)[]): SimState {
  for (let t = 0; t < ticks; t++) s = step(s, inputs(t), TICK);
  return s;
}

const move = (x: number, y: number, s = 1, d = false): InputFrame => ({ s, x, y, d });

/** Pseudo-random but reproducible input script for n players (drawn from the game's own PRNG). */
function scriptedInputs(n: number, ticks: number, seed: number): InputFrame[][] {
  let rng = seed;
  const rnd = () => {
    const [v, next] = nextRandom(rng);
    rng = next;
    return v;
  };
  const out: InputFrame[][] = [];
  for (let t = 0; t < ticks; t++) {
    const row: InputFrame[] = [];
    for (let i = 0; i < n; i++) row.push({ s: t + 1, x: rnd() * 2 - 1, y: rnd() * 2 - 1, d: rnd() < 0.05 });
    out.push(row);
  }
  return out;
}

describe("determinism", () => {
  it("same seed and inputs give identical states, tick by tick", () => {
    const script = scriptedInputs(8, 600, 42);
    let a = createMatch(1234, 8, { countdownMs: 500 });
    let b = createMatch(1234, 8, { countdownMs: 500 });
    for (const row of script) {
      a = step(a, row, TICK);
      b = step(b, row, TICK);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
    // The script really exercised the game: orbs were taken and dashes hit people.
    expect(a.players.some((p) => p.score > 0)).toBe(true);
    expect(a.nextOrbId).toBeGreaterThan(orbTarget(8) + 1);
  });

  it("a checkpoint (JSON round trip) resumes the same game", () => {
    const script = scriptedInputs(4, 400, 7);
    let live = createMatch(99, 4, { countdownMs: 0 });
    for (const row of script.slice(0, 200)) live = step(live, row, TICK);
    let resumed = JSON.parse(JSON.stringify(live)) as SimState;
    for (const row of script.slice(200)) {
      live = step(live, row, TICK);
      resumed = step(resumed, row, TICK);
    }
    expect(resumed).toEqual(live);
  });

  it("different seeds lay out different orbs", () => {
    expect(createMatch(1, 2).orbs).not.toEqual(createMatch(2, 2).orbs);
    expect(createMatch(1, 2).orbs).toEqual(createMatch(1, 2).orbs);
  });

  it("advance (the host's in-place step) plays the same game as step, tick by tick, in the same objects", () => {
    const script = scriptedInputs(8, 1800, 42);
    let byStep = createMatch(1234, 8, { countdownMs: 500 });
    const inPlace = structuredClone(byStep);
    const { players, orbs } = inPlace;
    script.forEach((row, t) => {
      if (t % 97 === 5) row[3] = undefined as never; // a player without input now and then
      byStep = step(byStep, row, TICK);
      advance(inPlace, row, TICK);
      expect(JSON.stringify(inPlace)).toBe(JSON.stringify(byStep));
    });
    expect(inPlace.players).toBe(players);
    expect(inPlace.orbs).toBe(orbs);
    // The rules did not change with the in-place rewrite: the copy-per-tick step of before ended this
    // script exactly here.
    expect([inPlace.tick, inPlace.phase, inPlace.players.map((p) => p.score).join(","), inPlace.nextOrbId]).toEqual([1800, "playing", "1,9,20,9,9,13,17,13", 159]);
  });

  it("never modifies the state it is given", () => {
    const script = scriptedInputs(3, 300, 3);
    let s = createMatch(5, 3, { countdownMs: 100 });
    for (const row of script) {
      const before = JSON.stringify(s);
      const next = step(s, row, TICK);
      expect(JSON.stringify(s)).toBe(before);
      s = next;
    }
  });
});

describe("movement", () => {
  it("moves at playerSpeed and stays inside the arena walls", () => {
    let s = arena([[800, 500]]);
    s = step(s, [move(1, 0)], 1000);
    expect(s.players[0]!.x).toBeCloseTo(800 + DEFAULT_GAME_CONFIG.playerSpeed, 6);
    s = run(s, 200, () => [move(1, 1)]);
    expect(s.players[0]!.x).toBe(W - R);
    expect(s.players[0]!.y).toBe(H - R);
    s = run(s, 200, () => [move(-1, -1)]);
    expect(s.players[0]!.x).toBe(R);
    expect(s.players[0]!.y).toBe(R);
  });

  it("clamps input magnitude: diagonals and forged values are no faster, NaN stands still", () => {
    const dist = (input: InputFrame) => {
      const s = step(arena([[800, 500]]), [input], 500);
      return Math.hypot(s.players[0]!.x - 800, s.players[0]!.y - 500);
    };
    const straight = dist(move(1, 0));
    expect(dist(move(1, 1))).toBeCloseTo(straight, 6);
    expect(dist(move(1000, -1000))).toBeCloseTo(straight, 6);
    expect(dist(move(Number.NaN, Number.POSITIVE_INFINITY))).toBe(0);
    expect(dist(move(0.5, 0))).toBeCloseTo(straight / 2, 6);
  });

  it("without input a player stands still and lastSeq only grows", () => {
    let s = arena([[300, 300]]);
    s = step(s, [undefined], TICK);
    expect(s.players[0]).toMatchObject({ x: 300, y: 300, vx: 0, vy: 0 });
    s = step(s, [move(1, 0, 10)], TICK);
    s = step(s, [move(1, 0, 4)], TICK);
    expect(s.players[0]!.lastSeq).toBe(10);
  });

  it("lands in the same place whether time is cut into 50 ms ticks or 12.5 ms frames (prediction)", () => {
    const server = { ...arena([[400, 500]]).players[0]! };
    const client = { ...server };
    // 1 s of walking with a dash in the middle, then 1 s of walking back.
    const plan = (t: number) => (t < 1000 ? move(1, 0.3, 1, t >= 400 && t < 450) : move(-1, 0, 2));
    for (let t = 0; t < 2000; t += 50) advancePlayer(server, plan(t), 50, DEFAULT_GAME_CONFIG);
    for (let t = 0; t < 2000; t += 12.5) advancePlayer(client, plan(t), 12.5, DEFAULT_GAME_CONFIG);
    expect(Math.abs(server.x - client.x)).toBeLessThan(1);
    expect(Math.abs(server.y - client.y)).toBeLessThan(1);
  });
});

describe("orbs", () => {
  it("an orb scores +1 and a gold orb +5, and both disappear", () => {
    let s = arena(
      [
        [200, 200],
        [900, 600],
      ],
      [
        { id: 1, x: 205, y: 200, value: GAME_RULES.orbValue },
        { id: 2, x: 900, y: 610, value: GAME_RULES.goldValue },
        { id: 3, x: 600, y: 600, value: GAME_RULES.orbValue },
      ],
    );
    s = step(s, [undefined, undefined], TICK);
    expect(s.players.map((p) => p.score)).toEqual([1, 5]);
    expect(s.orbs.map((o) => o.id)).not.toContain(1);
    expect(s.orbs.map((o) => o.id)).not.toContain(2);
    expect(s.orbs.map((o) => o.id)).toContain(3);
  });

  it("starts full, refills towards the target while playing, spawns gold sometimes, inside the margins", () => {
    const start = createMatch(77, 4, { countdownMs: 0, durationMs: 10 * 60_000 });
    expect(start.orbs).toHaveLength(orbTarget(4));
    let s: SimState = { ...start, orbs: [] };
    let sawGold = false;
    for (let t = 0; t < 4000; t++) {
      s = step(s, [], TICK);
      if (s.orbs.some((o) => o.value === GAME_RULES.goldValue)) sawGold = true;
      if (t % 100 === 99) s = { ...s, orbs: [] };
    }
    s = run(s, 200, () => []);
    expect(s.orbs).toHaveLength(orbTarget(4));
    expect(sawGold).toBe(true);
    for (const o of s.orbs) {
      expect(o.x).toBeGreaterThanOrEqual(GAME_RULES.orbMargin);
      expect(o.x).toBeLessThanOrEqual(W - GAME_RULES.orbMargin);
      expect(o.y).toBeGreaterThanOrEqual(GAME_RULES.orbMargin);
      expect(o.y).toBeLessThanOrEqual(H - GAME_RULES.orbMargin);
    }
  });
});

describe("dash", () => {
  it("dashes farther than walking, then waits for the cooldown", () => {
    const walk = step(arena([[400, 500]]), [move(1, 0)], 150).players[0]!;
    let s = step(arena([[400, 500]]), [move(1, 0, 1, true)], 150);
    const p = s.players[0]!;
    expect(p.x - 400).toBeGreaterThan((walk.x - 400) * 3);
    expect(p.dashCooldownMs).toBe(GAME_RULES.dashCooldownMs);
    expect(p.dashMs).toBe(GAME_RULES.dashMs - 150);
    // Holding dash during the cooldown does nothing more than walking.
    s = run(s, 10, () => [move(1, 0, 2, true)]);
    expect(s.players[0]!.dashMs).toBe(0);
    const before = s.players[0]!.x;
    s = step(s, [move(1, 0, 3, true)], TICK);
    expect(s.players[0]!.x - before).toBeCloseTo((DEFAULT_GAME_CONFIG.playerSpeed * TICK) / 1000, 6);
    // Once the cooldown is over, the next press dashes again.
    s = run(s, Math.ceil(GAME_RULES.dashCooldownMs / TICK), () => [move(0, 0, 4)]);
    expect(s.players[0]!.dashCooldownMs).toBe(0);
    s = step(s, [move(0, 1, 5, true)], TICK);
    expect(s.players[0]!.dashMs).toBeGreaterThan(0);
    expect(s.players[0]!.vy).toBe(GAME_RULES.dashSpeed);
  });

  it("with no direction held, dashes where the player faces", () => {
    let s = arena([[400, 500]]);
    s = step(s, [move(-1, 0)], TICK);
    s = step(s, [move(0, 0, 2, true)], TICK);
    expect(s.players[0]!.vx).toBe(-GAME_RULES.dashSpeed);
  });

  it("a dash bumps the player it hits: knockback, stun, dropped orbs behind it", () => {
    let s = arena([
      [500, 500],
      [560, 500],
    ]);
    s = { ...s, players: s.players.map((p, i) => (i === 1 ? { ...p, score: 5 } : p)) };
    s = step(s, [move(1, 0, 1, true), undefined], TICK);
    const [a, b] = s.players as [PlayerState, PlayerState];
    expect(b.stunMs).toBeGreaterThan(0);
    expect(b.vx).toBeGreaterThan(0);
    expect(b.score).toBe(5 - GAME_RULES.bumpDrop);
    const dropped = s.orbs.filter((o) => o.value === GAME_RULES.orbValue);
    expect(dropped).toHaveLength(GAME_RULES.bumpDrop);
    // Dropped behind the victim (on the dasher's side), within the drop distance.
    for (const o of dropped) {
      expect(o.x).toBeLessThan(b.x);
      expect(Math.hypot(o.x - b.x, o.y - b.y)).toBeLessThanOrEqual(GAME_RULES.dropDistanceMax + 1e-9);
    }
    expect(a.dashMs).toBeGreaterThan(0);

    // Stunned: steering is ignored and the knockback carries it further away; it cannot be hit twice.
    const bx = b.x;
    s = step(s, [move(1, 0, 2), move(-1, 0, 1)], TICK);
    expect(s.players[1]!.x).toBeGreaterThan(bx);
    expect(s.players[1]!.score).toBe(5 - GAME_RULES.bumpDrop);

    // Once the stun is over, it steers again.
    s = run(s, Math.ceil(GAME_RULES.stunMs / TICK), () => [undefined, undefined]);
    expect(s.players[1]!.stunMs).toBe(0);
    const x1 = s.players[1]!.x;
    s = step(s, [undefined, move(-1, 0, 2)], TICK);
    expect(s.players[1]!.x).toBeLessThan(x1);
  });

  it("a bump drops at most the victim's score, and a dashing player cannot be bumped", () => {
    let s = arena([
      [500, 500],
      [560, 500],
    ]);
    s = { ...s, players: s.players.map((p, i) => (i === 1 ? { ...p, score: 1 } : p)) };
    const hit = step(s, [move(1, 0, 1, true), undefined], TICK);
    expect(hit.players[1]!.score).toBe(0);
    expect(hit.orbs).toHaveLength(1);
    const both = step(s, [move(1, 0, 1, true), move(-1, 0, 1, true)], TICK);
    expect(both.players.map((p) => p.stunMs)).toEqual([0, 0]);
    expect(both.players[1]!.score).toBe(1);
  });
});

describe("phases", () => {
  it("countdown -> playing -> ended, with nobody moving outside play", () => {
    let s = createMatch(3, 2, { countdownMs: 200, durationMs: 1000 });
    const x0 = s.players[0]!.x;
    expect(s.phase).toBe("countdown");
    s = run(s, 3, () => [move(1, 0)]);
    expect(s.phase).toBe("countdown");
    expect(s.players[0]!.x).toBe(x0);
    s = step(s, [move(1, 0)], TICK);
    expect(s.phase).toBe("playing");
    expect(s.phaseLeftMs).toBe(1000);
    s = run(s, 19, () => [move(1, 0)]);
    expect(s.phase).toBe("playing");
    expect(s.players[0]!.x).toBeGreaterThan(x0);
    s = step(s, [move(1, 0)], TICK);
    expect(s.phase).toBe("ended");
    const end = s;
    s = run(s, 5, () => [move(-1, 0, 9, true)]);
    expect(s.phase).toBe("ended");
    expect(s.phaseLeftMs).toBe(0);
    expect(s.players).toEqual(end.players);
    expect(s.tick).toBe(end.tick + 5);
  });

  it("without a countdown the match starts in play", () => {
    const s = createMatch(3, 2, { countdownMs: 0, durationMs: 5000 });
    expect(s).toMatchObject({ phase: "playing", phaseLeftMs: 5000 });
  });
});

describe("standings", () => {
  it("orders by score; ties share the better placement and keep index order", () => {
    const s = arena([
      [100, 100],
      [200, 200],
      [300, 300],
      [400, 400],
    ]);
    const scored = { ...s, players: s.players.map((p, i) => ({ ...p, score: [3, 5, 5, 0][i]! })) };
    expect(standings(scored)).toEqual([
      { index: 1, score: 5, placement: 1 },
      { index: 2, score: 5, placement: 1 },
      { index: 0, score: 3, placement: 3 },
      { index: 3, score: 0, placement: 4 },
    ]);
    expect(standings(s).map((r) => r.placement)).toEqual([1, 1, 1, 1]);
  });
});

describe("toSnapshot", () => {
  it("is compact: rounded rows of players and orbs with phase and time left", () => {
    let s = createMatch(11, 3, { countdownMs: 0 });
    s = step(s, [move(0.33, 0.71, 7, true), undefined, move(-1, 0, 2)], 37);
    const snap = toSnapshot(s, "m1");
    expect(snap).toMatchObject({ m: "m1", n: 1, ph: "playing", t: DEFAULT_GAME_CONFIG.durationMs - 37 });
    expect(snap.p).toHaveLength(3);
    for (const row of snap.p) {
      expect(row).toHaveLength(10);
      for (const v of row) expect(Number.isFinite(v)).toBe(true);
      expect(row[1]).toBe(Math.round(row[1] * 10) / 10);
    }
    const me = snap.p[0]!;
    expect(me[0]).toBe(0);
    expect(me[4]).toBe(7);
    expect(me[5]).toBe(GAME_RULES.dashCooldownMs);
    expect(me[8]).toBe(GAME_RULES.dashMs - 37);
    expect(me[9]).toBe(0);
    expect(snap.o).toHaveLength(s.orbs.length);
    expect(snap.o[0]).toEqual([s.orbs[0]!.id, Math.round(s.orbs[0]!.x * 10) / 10, Math.round(s.orbs[0]!.y * 10) / 10, s.orbs[0]!.value]);
    // Small enough to send every tick to every player.
    expect(JSON.stringify(toSnapshot(createMatch(1, 8), "m")).length).toBeLessThan(2500);
  });
});
