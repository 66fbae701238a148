/**
 * A small Dockerfile reader for tests that check the image without Docker: stages and their
 * instructions, with line continuations joined, comments dropped and build ARGs substituted. It knows the
 * instructions this repo's Dockerfile uses and throws on anything else, so the tests cannot silently miss
 * a new one.
 */
import { readFileSync } from "node:fs";

const KNOWN = new Set(["ARG", "FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "CMD"]);

export interface Instruction {
  op: string;
  /** Everything after the instruction word, continuations joined. */
  args: string;
}

export interface Stage {
  name: string;
  image: string;
  steps: Instruction[];
}

/** Parses a Dockerfile into its stages (the unnamed last stage is called "final"). */
export function readDockerfile(path: string): Stage[] {
  const logical: string[] = [];
  let cur = "";
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.trim();
    if (!cur && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue; // comment inside a continued instruction
    if (line.endsWith("\\")) {
      cur += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${cur}${line}`.trim());
    cur = "";
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\w+)\s+(.*)$/s.exec(l);
    if (!m) throw new Error(`cannot read Dockerfile line: ${l}`);
    const op = m[1]!.toUpperCase();
    if (!KNOWN.has(op)) throw new Error(`test/helpers/dockerfile.ts does not know ${op}: teach it before using it`);
    const rest = m[2]!.replace(/\$\{(\w+)\}/g, (_, v: string) => args.get(v) ?? `\${${v}}`);
    if (op === "ARG") {
      const [k, v = ""] = rest.split("=");
      args.set(k!.trim(), v.trim());
    } else if (op === "FROM") {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      stages.push({ image: f![1]!, name: f![2] ?? "final", steps: [] });
    } else {
      if (!stages.length) throw new Error(`${op} before FROM`);
      stages.at(-1)!.steps.push({ op, args: rest });
    }
  }
  return stages;
}

/** `COPY [--from=x] [--chown=..] src... dest` */
export function parseCopy(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith("--")) {
    const flag = words.shift()!;
    if (flag.startsWith("--from=")) from = flag.slice(7);
  }
  const dest = words.pop()!;
  return { from, sources: words, dest };
}

/** `ENV A=1 B=2` (values without spaces). */
export function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).map((kv) => kv.split("=") as [string, string]));
}

/** `RUN [--mount=...] command`: the shell command. */
export function runCommand(args: string): string {
  return args.replace(/^(--\S+\s+)+/, "");
}

/** `HEALTHCHECK [--opt=v...] CMD command`: the options and the shell command. */
export function parseHealthcheck(args: string): { options: Record<string, string>; command: string } {
  const m = /^((?:--\S+\s+)*)CMD\s+(.*)$/s.exec(args);
  if (!m) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  const options = Object.fromEntries(m[1]!.trim().split(/\s+/).filter(Boolean).map((o) => o.replace(/^--/, "").split("=") as [string, string]));
  return { options, command: m[2]! };
}
