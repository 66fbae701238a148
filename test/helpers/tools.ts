/**
 * Command-line tools the deploy tests run for real (haproxy, docker-compose, promtool, redis-server):
 * a check that names the install command when one is missing (tests never skip silently), a runner, and
 * YAML to JSON through python3-yaml, the parser docker-compose itself uses (a dependency of Debian's
 * docker-compose package), so no YAML library is added to the project for tests.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";

/** Throws with the install command when a Debian-packaged tool is missing; returns its version line. */
export function requireTool(cmd: string, versionArgs: string[], aptPackage: string): string {
  const r = spawnSync(cmd, versionArgs, { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} is required by this test and was not found: install it with  sudo apt-get install -y ${aptPackage}  (.ci/run does)`);
  }
  return `${r.stdout}${r.stderr}`.split("\n")[0]!.trim();
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, for assertion messages. */
  output: string;
}

/** Runs a command to completion. */
export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000, ...opts });
  if (r.error) throw r.error;
  const stdout = String(r.stdout ?? "");
  const stderr = String(r.stderr ?? "");
  return { status: r.status, stdout, stderr, output: `$ ${cmd} ${args.join(" ")}\n${stdout}${stderr}` };
}

/** Parses YAML (a compose file, `docker-compose config` output, a Prometheus config) into plain data. */
export function yamlToData<T = unknown>(yaml: string): T {
  const r = run("python3", ["-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"], { input: yaml });
  if (r.status !== 0) throw new Error(`YAML parse failed (python3-yaml comes with docker-compose: sudo apt-get install -y docker-compose):\n${r.output}`);
  return JSON.parse(r.stdout) as T;
}
