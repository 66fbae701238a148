/**
 * Encodes `match:snapshot` payloads (shared/game/snapshot-codec.ts) on the server: the bytes are written
 * into one reused buffer and turned into base64 by Node's native encoder, so a tick's snapshot costs one
 * string and no intermediate objects. Encoded once per match and tick, whatever the number of receivers.
 */
import { snapshotSize, writeSnapshot } from "../../shared/game/snapshot-codec.ts";
import type { SimState } from "../../shared/game/sim.ts";

let scratch = Buffer.allocUnsafeSlow(8192);
let view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);

/** The `match:snapshot` payload of a state: base64 of the snapshot bytes. */
export function encodeSnapshot(state: SimState, matchId: string): string {
  const size = snapshotSize(state, matchId.length);
  if (size > scratch.length) {
    scratch = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
    view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
  }
  const n = writeSnapshot(state, matchId, view);
  return scratch.toString("base64", 0, n);
}
