/**
 * Pushes each view to the admin sockets of this node that subscribe to it, at the view's period. A view
 * is computed once per period for all its subscribers, and only while it has some: a node with no
 * dashboard open computes nothing. Pushes stay on this node (`local`): every node computes for its own.
 */
import type { FastifyBaseLogger } from "fastify";
import { VIEW_INTERVAL_MS, type AdminView, type AdminViews } from "../../shared/admin-events.ts";
import type { AdminNamespace, AdminSocket } from "./admin-namespace.ts";
import type { AdminService } from "./admin-service.ts";

const roomOf = (view: AdminView) => `view:${view}`;

export class ViewPusher {
  private readonly timers = new Map<AdminView, NodeJS.Timeout>();
  private readonly busy = new Set<AdminView>();

  constructor(
    private readonly nsp: AdminNamespace,
    private readonly service: AdminService,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Joins the view's room and answers with its current data. */
  async subscribe(socket: AdminSocket, view: AdminView): Promise<AdminViews[AdminView]> {
    const data = await this.service.view(view);
    await socket.join(roomOf(view));
    this.ensure(view);
    return data;
  }

  async unsubscribe(socket: AdminSocket, view: AdminView): Promise<{ unsubscribed: true }> {
    await socket.leave(roomOf(view));
    return { unsubscribed: true };
  }

  private subscribers(view: AdminView): number {
    return this.nsp.adapter.rooms.get(roomOf(view))?.size ?? 0;
  }

  private ensure(view: AdminView): void {
    if (this.timers.has(view)) return;
    const timer = setInterval(() => void this.push(view), VIEW_INTERVAL_MS[view]);
    timer.unref();
    this.timers.set(view, timer);
  }

  private async push(view: AdminView): Promise<void> {
    if (this.subscribers(view) === 0) {
      clearInterval(this.timers.get(view));
      this.timers.delete(view);
      return;
    }
    // A slow Redis must not pile up computations: skip a period while the previous one runs.
    if (this.busy.has(view)) return;
    this.busy.add(view);
    try {
      const data = await this.service.view(view);
      (this.nsp.local.to(roomOf(view)) as unknown as { emit(ev: string, d: unknown): void }).emit(`admin:${view}`, data);
    } catch (err) {
      this.log.warn({ err, view }, "admin view push failed");
    } finally {
      this.busy.delete(view);
    }
  }

  stop(): void {
    for (const t of this.timers.values()) clearInterval(t);
    this.timers.clear();
  }
}
