/**
 * Typed signatures of the Lua scripts in ./lua (file `camelName-<numberOfKeys>.lua`). The loader checks at
 * start that every file has an entry here with the same number of keys, and every entry has a file.
 * Results are as ioredis returns them (Lua tables -> arrays, integers -> numbers, strings -> strings).
 */
export interface ScriptSignatures {
  /** Reads a session hash and slides its TTL. Returns flat [field, value, ...] or null when missing. */
  sessionTouch: { keys: [session: string]; args: [ttlMs: number]; result: string[] | null };
}

export type ScriptName = keyof ScriptSignatures;

/** Number of KEYS per script, checked against the file names at load time. */
export const SCRIPT_KEY_COUNTS: { [N in ScriptName]: ScriptSignatures[N]["keys"]["length"] } = {
  sessionTouch: 1,
};
