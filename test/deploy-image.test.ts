/**
 * The Dockerfile without Docker: the runtime stage is rebuilt in a temp folder (the files its COPY lines
 * take, node_modules from the deps stage's own RUN line: `npm ci --omit=dev`, the client bundle the build
 * stage makes) and its CMD is run against the test Redis as the image would run it. Then its HEALTHCHECK
 * command must pass and its STOPSIGNAL must drain and exit 0 within SHUTDOWN_GRACE_MS. Proves the image
 * needs no dev dependency at runtime and that the health check and stop signal work as written.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { redisUrl, uniquePrefix } from "./helpers/harness.ts";
import { parseCopy, parseEnv, parseHealthcheck, readDockerfile, runCommand } from "./helpers/dockerfile.ts";
import { buildClient } from "../client/build.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const stages = readDockerfile(join(ROOT, "Dockerfile"));
const stage = (name: string) => stages.find((s) => s.name === name) ?? expect.fail(`no stage ${name}`);
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string }; dependencies: Record<string, string> };
const temp: string[] = [];
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

/** Copies the context files of a stage's COPY lines (no --from) into `dir`, resolving dest against WORKDIR. */
function copyFromContext(s: ReturnType<typeof stage>, dir: string): void {
  for (const step of s.steps.filter((x) => x.op === "COPY")) {
    const c = parseCopy(step.args);
    if (c.from) continue;
    for (const src of c.sources) {
      // Docker: a folder's contents go into dest; a file goes into dest/ or becomes dest.
      const isDir = statSync(join(ROOT, src)).isDirectory();
      const dest = !isDir && c.dest.endsWith("/") ? join(dir, c.dest, basename(src)) : join(dir, c.dest);
      mkdirSync(isDir ? dest : dirname(dest), { recursive: true });
      cpSync(join(ROOT, src), dest, { recursive: true });
    }
  }
}

describe("Dockerfile", () => {
  it("builds from a Node LTS the code is checked on, runs as a non-root user, drains on SIGTERM", () => {
    const final = stage("final");
    const major = /^node:(\d+)-/.exec(final.image)?.[1];
    expect(major, final.image).toBeDefined();
    expect(pkg.engines.node).toContain(`^${major}`);
    for (const s of stages) expect(s.image).toBe(final.image);
    const user = final.steps.filter((x) => x.op === "USER").at(-1)?.args;
    expect(user).toBeDefined();
    expect(["root", "0", "0:0"]).not.toContain(user);
    expect(final.steps.find((x) => x.op === "STOPSIGNAL")?.args).toBe("SIGTERM");
    expect(parseHealthcheck(final.steps.find((x) => x.op === "HEALTHCHECK")!.args).command).toContain("/readyz");
    // The deps stage installs production dependencies only; the runtime copies node_modules from it.
    expect(stage("deps").steps.filter((x) => x.op === "RUN").map((x) => runCommand(x.args))).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)]);
    expect(final.steps.filter((x) => x.op === "COPY").map((x) => parseCopy(x.args)).filter((c) => c.from).map((c) => `${c.from}:${c.sources.join(",")}`)).toEqual([
      "deps:/app/node_modules",
      "build:/app/client/dist",
      "build:/app/client/admin/dist",
    ]);
    expect(stage("build").steps.some((x) => x.op === "RUN" && runCommand(x.args) === "npm run build:client")).toBe(true);
  });

  it("sends every file its COPY lines need in the build context (.dockerignore)", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    // A source is lost when it, or a folder above it, is excluded (excluding something inside a copied
    // folder, like client/dist, is deliberate).
    const hit = (src: string, pattern: string) => (pattern.startsWith("*.") ? src.endsWith(pattern.slice(1)) : src === pattern || src.startsWith(`${pattern}/`));
    const sources = stages.flatMap((s) => s.steps.filter((x) => x.op === "COPY").map((x) => parseCopy(x.args)).filter((c) => !c.from).flatMap((c) => c.sources));
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) for (const pattern of ignored) expect(hit(src, pattern), `${src} excluded by "${pattern}"`).toBe(false);
  });

  it("runs its CMD from the runtime stage's files alone: /readyz via the HEALTHCHECK, SIGTERM exits 0", async () => {
    // deps stage: its files and its RUN line, for real.
    const deps = mkdtempSync(join(tmpdir(), "arena-image-deps-"));
    temp.push(deps);
    copyFromContext(stage("deps"), deps);
    for (const step of stage("deps").steps.filter((x) => x.op === "RUN")) {
      const r = spawnSync("sh", ["-c", runCommand(step.args)], { cwd: deps, encoding: "utf8", timeout: 240_000 });
      expect(r.status, `${runCommand(step.args)}\n${r.stdout}\n${r.stderr}`).toBe(0);
    }
    // Nothing the lockfile marks dev-only (vitest, typescript, playwright-core...) is in the image.
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path);
    expect(devOnly.length).toBeGreaterThan(10);
    for (const path of devOnly) expect(existsSync(join(deps, path)), `${path} is dev-only`).toBe(false);
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(deps, "node_modules", dep)), dep).toBe(true);

    // runtime stage: context files, node_modules from deps, client/dist from the build stage's build.
    const app = mkdtempSync(join(tmpdir(), "arena-image-app-"));
    temp.push(app);
    const final = stage("final");
    copyFromContext(final, app);
    cpSync(join(deps, "node_modules"), join(app, "node_modules"), { recursive: true, verbatimSymlinks: true });
    await buildClient(join(app, "client", "dist"));
    expect(existsSync(join(app, "test"))).toBe(false);

    const env: Record<string, string> = {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
      ...Object.assign({}, ...final.steps.filter((x) => x.op === "ENV").map((x) => parseEnv(x.args))),
      REDIS_URL: redisUrl(),
      KEY_PREFIX: uniquePrefix("img"),
      NODE_ID: "image-test",
      HOST: "127.0.0.1",
      PORT: "0",
      SHUTDOWN_GRACE_MS: "20000",
    };
    expect(env.NODE_ENV).toBe("production");
    const cmd = JSON.parse(final.steps.find((x) => x.op === "CMD")!.args) as string[];
    expect(cmd[0]).toBe("node");
    child = spawn(process.execPath, cmd.slice(1), { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (b) => (out += b));
    child.stderr!.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((ok) => child!.once("exit", (code) => ok(code)));
    const port = await new Promise<string>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no ready line:\n${out}`)), 30_000);
      child!.stdout!.on("data", () => {
        const m = /ready at http:\/\/[^:]+:(\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          ok(m[1]!);
        }
      });
      void exited.then((code) => fail(new Error(`exited (${code}) before ready:\n${out}`)));
    });
    // The page the client bundle builds is served from client/dist.
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toMatch(/<script[^>]+main\.js/);

    const health = parseHealthcheck(final.steps.find((x) => x.op === "HEALTHCHECK")!.args);
    const check = spawnSync("sh", ["-c", health.command], { env: { ...env, PORT: port }, encoding: "utf8", timeout: 10_000 });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    // ...and it fails when nothing answers (it is not a check that cannot fail).
    const dead = spawnSync("sh", ["-c", health.command], { env: { ...env, PORT: "1" }, encoding: "utf8", timeout: 10_000 });
    expect(dead.status).toBe(1);

    const signal = final.steps.find((x) => x.op === "STOPSIGNAL")!.args as NodeJS.Signals;
    const t0 = performance.now();
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(performance.now() - t0).toBeLessThan(Number(env.SHUTDOWN_GRACE_MS));
    expect(out).toMatch(/SIGTERM: shutting down/);
  }, 300_000);
});
