/**
 * How busy this node is, sampled once per heartbeat, and whether it is overloaded.
 *
 * - Event-loop delay: perf_hooks `monitorEventLoopDelay` at 1 ms resolution (a libuv timer firing every
 *   millisecond; the 10 ms default cannot tell a healthy 20 Hz node from one that is 9 ms late every
 *   tick). Its p99 over the interval is what the heartbeat reports.
 * - Event-loop utilisation (share of the interval the loop was busy) and process CPU (user + system,
 *   percent of one core) over the same interval.
 *
 * Overload: a node whose loop p99 or CPU stays over its threshold (OVERLOAD_LOOP_P99_MS,
 * OVERLOAD_CPU_PERCENT) for OVERLOAD_ENTER_MS is overloaded until both stay below 80 % of their
 * thresholds for OVERLOAD_LEAVE_MS. The hysteresis keeps a node from flapping between the two states at
 * every heartbeat near the limit. While overloaded the node takes no new matches and refuses new
 * connections (nodes-feature.ts); players already connected keep playing.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from "node:perf_hooks";

/** Below this share of a threshold an overloaded node counts as recovered. */
const RECOVER_SHARE = 0.8;

export interface LoadSample {
  /** Event-loop delay p99 over the interval (ms, 0.1 ms steps). */
  lagMs: number;
  /** Event-loop utilisation over the interval, 0..1. */
  elu: number;
  /** CPU over the interval, percent of one core. */
  cpuPercent: number;
  overloaded: boolean;
}

export interface OverloadRules {
  /** Loop p99 (ms) past which the node is busy; 0 = not checked. */
  loopP99Ms: number;
  /** CPU (percent of one core) past which the node is busy; 0 = not checked. */
  cpuPercent: number;
  /** How long it must stay busy to turn overloaded, and calm to turn back (ms). */
  enterMs: number;
  leaveMs: number;
}

export class LoadMonitor {
  private readonly lag: IntervalHistogram;
  private elu: EventLoopUtilization;
  private cpu = process.cpuUsage();
  private at = performance.now();
  private busySince: number | null = null;
  private calmSince: number | null = null;
  private state = false;

  constructor(private readonly rules: OverloadRules) {
    this.lag = monitorEventLoopDelay({ resolution: 1 });
    this.lag.enable();
    this.elu = performance.eventLoopUtilization();
  }

  /** Whether the node is overloaded (as of the last sample). */
  get overloaded(): boolean {
    return this.state;
  }

  /** Figures since the previous sample; updates the overload state. */
  sample(now = performance.now()): LoadSample {
    const lagMs = Math.round(this.lag.percentile(99) / 1e5) / 10;
    this.lag.reset();
    const elu = performance.eventLoopUtilization(this.elu).utilization;
    this.elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage(this.cpu);
    this.cpu = process.cpuUsage();
    const from = this.at;
    const wallUs = Math.max(1, (now - from) * 1000);
    this.at = now;
    const cpuPercent = Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10;
    this.judge(lagMs, cpuPercent, from, now);
    return { lagMs, elu: Math.round(elu * 1000) / 1000, cpuPercent, overloaded: this.state };
  }

  /** The interval [from, now] was busy or calm: a state turns once enough time in a row says so. */
  private judge(lagMs: number, cpuPercent: number, from: number, now: number): void {
    const { loopP99Ms, cpuPercent: cpuMax, enterMs, leaveMs } = this.rules;
    const over = (v: number, max: number, share = 1) => max > 0 && v > max * share;
    const busy = over(lagMs, loopP99Ms) || over(cpuPercent, cpuMax);
    const calm = !over(lagMs, loopP99Ms, RECOVER_SHARE) && !over(cpuPercent, cpuMax, RECOVER_SHARE);
    this.busySince = busy ? (this.busySince ?? from) : null;
    this.calmSince = calm ? (this.calmSince ?? from) : null;
    if (!this.state && this.busySince !== null && now - this.busySince >= enterMs) this.state = true;
    else if (this.state && this.calmSince !== null && now - this.calmSince >= leaveMs) this.state = false;
  }

  stop(): void {
    this.lag.disable();
  }
}
