/**
 * docs/benchmarks.md is written by two tools (`npm run bench`, `npm run load:<profile> -- --record`); each
 * owns sections between `<!-- <id>:start -->` and `<!-- <id>:end -->` and leaves the rest of the file alone.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const HEADER = "# Benchmarks and load tests\n\nGenerated: `npm run bench` writes the benchmark section, `npm run load:<profile> -- --record` the load-test sections. Figures from a shared machine move with its load; each section says what the machine was doing.\n";

/** `text` with the section `id` replaced by `body` (appended at the end when it is new). */
export function withSection(text: string, id: string, body: string): string {
  const start = `<!-- ${id}:start -->`;
  const end = `<!-- ${id}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) return text.slice(0, a) + block + text.slice(b + end.length);
  return `${text.trimEnd()}\n\n${block}\n`;
}

/** Replaces (or adds) section `id` of `file`, creating the file with its header when missing. */
export function writeSection(file: string, id: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, "utf8") : HEADER;
  writeFileSync(file, withSection(text, id, body).replace(/\n*$/, "\n"));
}
