/** The snapshot wire format (shared/game/snapshot-codec.ts): bytes from a state decode to `toSnapshot` of it. */
import { describe, expect, it } from "vitest";
import { createMatch, step, toSnapshot, type SimState } from "../shared/game/sim.ts";
import { base64ToBytes, decodeSnapshot, decodeSnapshotBytes, peekSnapshot, snapshotSize, SnapshotFormatError, writeSnapshot } from "../shared/game/snapshot-codec.ts";
import type { InputFrame, Snapshot } from "../shared/game/types.ts";

function encode(state: SimState, matchId: string): { bytes: Uint8Array; text: string } {
  const size = snapshotSize(state, matchId.length);
  const bytes = new Uint8Array(size);
  expect(writeSnapshot(state, matchId, new DataView(bytes.buffer))).toBe(size);
  return { bytes, text: Buffer.from(bytes).toString("base64") };
}

/** -0 and 0 are the same on the wire. */
const plain = (s: Snapshot): Snapshot => JSON.parse(JSON.stringify(s)) as Snapshot;

function played(ticks: number): SimState {
  let s = createMatch(77, 8, { countdownMs: 0 });
  for (let t = 0; t < ticks; t++) {
    const inputs: InputFrame[] = s.players.map((_, i) => ({ s: t + 1, x: Math.cos(t / 9 + i), y: Math.sin(t / 7 + i), d: (t + i) % 40 === 0 }));
    s = step(s, inputs, 50);
  }
  return s;
}

describe("snapshot codec", () => {
  it("decodes to what toSnapshot gives, in every phase", () => {
    const states = [createMatch(5, 8), played(1), played(300), { ...played(10), phase: "ended" as const, phaseLeftMs: 0 }];
    for (const s of states) {
      const { bytes, text } = encode(s, "m-0123456789ab");
      expect(plain(decodeSnapshotBytes(bytes))).toEqual(plain(toSnapshot(s, "m-0123456789ab")));
      expect(plain(decodeSnapshot(text))).toEqual(plain(toSnapshot(s, "m-0123456789ab")));
    }
  });

  it("is well under half the size of the JSON object it replaces", () => {
    const s = played(200);
    const { bytes, text } = encode(s, "Xk2v9QpL0aZr");
    const json = JSON.stringify(toSnapshot(s, "Xk2v9QpL0aZr")).length;
    expect(text.length).toBeLessThan(json * 0.7);
    expect(bytes.length).toBeLessThan(json * 0.5);
  });

  it("peeks the tick, phase and one player's acknowledged input without decoding", () => {
    const s = played(120);
    const { bytes } = encode(s, "m1");
    const full = decodeSnapshotBytes(bytes);
    for (let i = 0; i < 8; i++) expect(peekSnapshot(bytes, i)).toEqual({ n: full.n, ph: full.ph, ackSeq: full.p[i]![4] });
    expect(peekSnapshot(bytes, 9).ackSeq).toBeUndefined();
  });

  it("clamps values outside the documented ranges instead of wrapping", () => {
    const s = played(5);
    const wild: SimState = { ...s, players: s.players.map((p, i) => (i === 0 ? { ...p, x: -5, y: 99_999, vx: -99_999, vy: 99_999, score: 2 ** 40 } : p)) };
    const row = decodeSnapshot(encode(wild, "m").text).p[0]!;
    expect(row.slice(1, 4)).toEqual([0, 6553.5, 4294967295]);
    expect(row.slice(6, 8)).toEqual([-3276.8, 3276.7]);
  });

  it("refuses bytes of another format, truncated bytes and non-base64 text", () => {
    const { bytes } = encode(played(3), "m");
    expect(() => decodeSnapshotBytes(bytes.subarray(0, 30))).toThrow(SnapshotFormatError);
    const other = bytes.slice();
    other[0] = 2;
    expect(() => decodeSnapshotBytes(other)).toThrow(SnapshotFormatError);
    expect(() => decodeSnapshot("not base64!")).toThrow(SnapshotFormatError);
  });

  it("reads standard base64 with and without padding", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 31]) {
      const raw = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 0xff);
      const b64 = Buffer.from(raw).toString("base64");
      expect([...base64ToBytes(b64)]).toEqual([...raw]);
      expect([...base64ToBytes(b64.replace(/=+$/, ""))]).toEqual([...raw]);
    }
  });
});
