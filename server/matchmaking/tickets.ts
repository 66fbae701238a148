/**
 * What a ticket is, in Redis and in memory: the queues, the stored ticket and claim shapes, and the
 * player's ticket pointer value ("<home>|<ticketId>", kept by the players feature).
 */
import { REGION_IDS } from "../../shared/regions.ts";
import type { TicketInfo } from "./group-selection.ts";

/** The worldwide queue that tickets move on to after the widest regional radius. */
export const WORLD_QUEUE = "world";
/** Every queue: one per region, plus the worldwide one. */
export const QUEUES: readonly string[] = Object.freeze([...REGION_IDS, WORLD_QUEUE]);

/** Everything stored about a queued ticket. */
export interface StoredTicket extends TicketInfo {
  lat: number;
  lon: number;
  /** Connection epoch of the player's socket that owns the ticket (newest wins). */
  epoch: number;
  /** Node the owning socket is connected to. */
  node: string;
}

/** A claim as recorded in the queue slot until its match record is written. */
export interface ClaimRecord {
  matchId: string;
  queue: string;
  fence: number;
  createdAt: number;
  /** Simulation RNG seed. */
  seed: number;
  seedTicketId: string;
  radiusKm: number;
  skillBand: number;
  waitMs: number;
  players: TicketInfo[];
}

export const TICKET_FIELDS = ["status", "playerId", "name", "rating", "joinedAt", "home", "lat", "lon", "epoch", "node"] as const;

/** The pointer value stored under player:{id}:ticket. */
export function pointerOf(home: string, ticketId: string): string {
  return `${home}|${ticketId}`;
}

/** Splits a pointer value; null when malformed. */
export function parsePointer(value: string): { home: string; ticketId: string } | null {
  const i = value.indexOf("|");
  if (i <= 0 || i === value.length - 1) return null;
  return { home: value.slice(0, i), ticketId: value.slice(i + 1) };
}

export function toTicket(ticketId: string, h: Record<string, string | null | undefined>): StoredTicket {
  return {
    ticketId,
    playerId: h.playerId ?? "",
    name: h.name ?? "",
    rating: Number(h.rating ?? 0),
    joinedAt: Number(h.joinedAt ?? 0),
    home: h.home ?? "",
    lat: Number(h.lat ?? 0),
    lon: Number(h.lon ?? 0),
    epoch: Number(h.epoch ?? 0),
    node: h.node ?? "",
  };
}
