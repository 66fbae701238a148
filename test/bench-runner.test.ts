/** `npm run bench` reads each benchmark's last `BENCH_RESULT` line and checks goals (bench/bench-result.ts). */
import { describe, expect, it } from "vitest";
import { meetsGoal, parseBenchResult } from "../bench/bench-result.ts";

describe("bench results", () => {
  it("takes the figures of the last BENCH_RESULT line", () => {
    const out = 'figures...\nBENCH_RESULT {"figures":[{"name":"a","value":1,"unit":"/s"}]}\nmore\nBENCH_RESULT {"figures":[{"name":"b","value":2,"unit":"ms","ratio":0.4,"goal":">= 0.5"}]}\n';
    expect(parseBenchResult(out)).toEqual([{ name: "b", value: 2, unit: "ms", ratio: 0.4, goal: ">= 0.5" }]);
  });

  it("is null without a readable line, and drops malformed figures", () => {
    expect(parseBenchResult("just a table\n")).toBeNull();
    expect(parseBenchResult("BENCH_RESULT {not json")).toBeNull();
    expect(parseBenchResult('BENCH_RESULT {"figures":[{"name":"x"},{"name":"y","value":3,"unit":""}]}')).toEqual([{ name: "y", value: 3, unit: "" }]);
  });

  it("checks the goal on the ratio when there is one, else on the value", () => {
    expect(meetsGoal({ name: "r", value: 100, unit: "", ratio: 0.6, goal: ">= 0.5" })).toBe(true);
    expect(meetsGoal({ name: "r", value: 100, unit: "", ratio: 0.4, goal: ">= 0.5" })).toBe(false);
    expect(meetsGoal({ name: "v", value: 6000, unit: "", goal: ">= 5000" })).toBe(true);
    expect(meetsGoal({ name: "v", value: 1, unit: "", ratio: 1, goal: "< 1" })).toBe(false);
    expect(meetsGoal({ name: "v", value: 1, unit: "", ratio: 2, goal: "<= 2" })).toBe(true);
    expect(meetsGoal({ name: "v", value: 1, unit: "" })).toBe(true);
    expect(meetsGoal({ name: "v", value: 1, unit: "", goal: "about 2" })).toBe(false);
  });
});
