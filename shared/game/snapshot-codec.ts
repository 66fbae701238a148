/**
 * The wire form of `match:snapshot`: a fixed little-endian byte layout, sent as one base64 string (see
 * docs/protocol.md "Snapshot bytes" for the table every non-TypeScript client needs). About 520 bytes for
 * 8 players and 44 orbs (700 as base64) where the former JSON object took 1,200.
 *
 * Why base64 text and not a socket.io binary attachment: socket.io sends an attachment as a second
 * WebSocket frame after a text placeholder frame, so every snapshot would cost each socket two writes
 * instead of one, and writes per socket are the largest cost of a busy node. A string also travels
 * between nodes inside the JSON inbox message without any re-encoding.
 *
 * The server writes the bytes straight from the simulation state into a reused buffer (no intermediate
 * objects); clients decode into the `Snapshot` shape of ./types.ts, which is what `toSnapshot` returns:
 * `decodeSnapshot(encode(state)) == toSnapshot(state)` up to the documented ranges.
 */
import type { MatchPhase, Snapshot, SnapshotOrb, SnapshotPlayer } from "./types.ts";
import type { SimState } from "./sim.ts";

/** First byte of every snapshot; a client seeing another value should ask its user to update. */
export const SNAPSHOT_FORMAT = 1;
/** Bytes before the match id (format, phase, n, t, id length). */
const HEAD = 11;
/** Bytes of one player row and one orb row. */
export const PLAYER_ROW_BYTES = 23;
export const ORB_ROW_BYTES = 7;
const PHASES: readonly MatchPhase[] = ["countdown", "playing", "ended"];
const PHASE_CODE: Record<MatchPhase, number> = { countdown: 0, playing: 1, ended: 2 };

const u16 = (v: number) => (v <= 0 ? 0 : v >= 65535 ? 65535 : Math.round(v));
const i16 = (v: number) => (v <= -32768 ? -32768 : v >= 32767 ? 32767 : Math.round(v));
const u32 = (v: number) => (v <= 0 ? 0 : v >= 4294967295 ? 4294967295 : Math.round(v));
/** Tenths of a unit (positions, velocities). */
const tenths = (v: number) => v * 10;

/** Bytes the snapshot of `state` takes for a match id of `idLength` ASCII characters. */
export function snapshotSize(state: SimState, idLength: number): number {
  return HEAD + idLength + 3 + state.players.length * PLAYER_ROW_BYTES + state.orbs.length * ORB_ROW_BYTES;
}

/**
 * Writes the snapshot of `state` into `view` from offset 0 and returns its length. The caller sizes the
 * buffer (snapshotSize); match ids are ASCII, at most 255 characters.
 */
export function writeSnapshot(state: SimState, matchId: string, view: DataView): number {
  view.setUint8(0, SNAPSHOT_FORMAT);
  view.setUint8(1, PHASE_CODE[state.phase]);
  view.setUint32(2, u32(state.tick), true);
  view.setUint32(6, u32(state.phaseLeftMs), true);
  const idLength = Math.min(255, matchId.length);
  view.setUint8(10, idLength);
  let o = HEAD;
  for (let i = 0; i < idLength; i++) view.setUint8(o++, matchId.charCodeAt(i) & 0x7f);
  const players = state.players;
  const orbs = state.orbs;
  view.setUint8(o, players.length);
  view.setUint16(o + 1, Math.min(65535, orbs.length), true);
  o += 3;
  for (let i = 0; i < players.length; i++) {
    const p = players[i]!;
    view.setUint8(o, i);
    view.setUint16(o + 1, u16(tenths(p.x)), true);
    view.setUint16(o + 3, u16(tenths(p.y)), true);
    view.setUint32(o + 5, u32(p.score), true);
    view.setUint32(o + 9, u32(p.lastSeq), true);
    view.setUint16(o + 13, u16(p.dashCooldownMs), true);
    view.setInt16(o + 15, i16(tenths(p.vx)), true);
    view.setInt16(o + 17, i16(tenths(p.vy)), true);
    view.setUint16(o + 19, u16(p.dashMs), true);
    view.setUint16(o + 21, u16(p.stunMs), true);
    o += PLAYER_ROW_BYTES;
  }
  const orbCount = Math.min(65535, orbs.length);
  for (let i = 0; i < orbCount; i++) {
    const b = orbs[i]!;
    view.setUint16(o, b.id & 0xffff, true);
    view.setUint16(o + 2, u16(tenths(b.x)), true);
    view.setUint16(o + 4, u16(tenths(b.y)), true);
    view.setUint8(o + 6, b.value > 255 ? 255 : b.value);
    o += ORB_ROW_BYTES;
  }
  return o;
}

/** Thrown for bytes that are not a snapshot of this format (truncated, another format version). */
export class SnapshotFormatError extends Error {}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The start of the player rows, after checking the header fits. */
function rowsAt(v: DataView): number {
  if (v.byteLength < HEAD || v.getUint8(0) !== SNAPSHOT_FORMAT) throw new SnapshotFormatError(`not a format ${SNAPSHOT_FORMAT} snapshot`);
  const at = HEAD + v.getUint8(10) + 3;
  if (v.byteLength < at) throw new SnapshotFormatError("truncated snapshot");
  return at;
}

/** Decodes snapshot bytes into the `Snapshot` shape (positions and velocities back in units). */
export function decodeSnapshotBytes(bytes: Uint8Array): Snapshot {
  const v = viewOf(bytes);
  let o = rowsAt(v);
  const idLength = v.getUint8(10);
  let m = "";
  for (let i = 0; i < idLength; i++) m += String.fromCharCode(v.getUint8(HEAD + i));
  const playerCount = v.getUint8(o - 3);
  const orbCount = v.getUint16(o - 2, true);
  if (v.byteLength < o + playerCount * PLAYER_ROW_BYTES + orbCount * ORB_ROW_BYTES) throw new SnapshotFormatError("truncated snapshot");
  const p: SnapshotPlayer[] = [];
  for (let i = 0; i < playerCount; i++, o += PLAYER_ROW_BYTES) {
    p.push([
      v.getUint8(o),
      v.getUint16(o + 1, true) / 10,
      v.getUint16(o + 3, true) / 10,
      v.getUint32(o + 5, true),
      v.getUint32(o + 9, true),
      v.getUint16(o + 13, true),
      v.getInt16(o + 15, true) / 10,
      v.getInt16(o + 17, true) / 10,
      v.getUint16(o + 19, true),
      v.getUint16(o + 21, true),
    ]);
  }
  const orbs: SnapshotOrb[] = [];
  for (let i = 0; i < orbCount; i++, o += ORB_ROW_BYTES) {
    orbs.push([v.getUint16(o, true), v.getUint16(o + 2, true) / 10, v.getUint16(o + 4, true) / 10, v.getUint8(o + 6)]);
  }
  return { m, n: v.getUint32(2, true), ph: PHASES[v.getUint8(1)] ?? "ended", t: v.getUint32(6, true), p, o: orbs };
}

/**
 * What a load-test bot needs without decoding every row: the tick, the phase, and one player's last
 * applied input sequence (undefined when that player has no row).
 */
export function peekSnapshot(bytes: Uint8Array, playerIndex: number): { n: number; ph: MatchPhase; ackSeq: number | undefined } {
  const v = viewOf(bytes);
  const at = rowsAt(v);
  const count = v.getUint8(at - 3);
  let ackSeq: number | undefined;
  for (let i = 0, o = at; i < count && o + PLAYER_ROW_BYTES <= v.byteLength; i++, o += PLAYER_ROW_BYTES) {
    if (v.getUint8(o) === playerIndex) {
      ackSeq = v.getUint32(o + 9, true);
      break;
    }
  }
  return { n: v.getUint32(2, true), ph: PHASES[v.getUint8(1)] ?? "ended", ackSeq };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 (RFC 4648, with or without padding) to bytes; portable (browsers, Node, workers). */
export function base64ToBytes(text: string): Uint8Array {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61) len--;
  const out = new Uint8Array((len * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? LOOKUP[c]! : 255;
    if (d === 255) throw new SnapshotFormatError("snapshot is not base64");
    acc = (acc << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Decodes the `match:snapshot` payload (a base64 string) into the `Snapshot` shape. */
export function decodeSnapshot(text: string): Snapshot {
  return decodeSnapshotBytes(base64ToBytes(text));
}
