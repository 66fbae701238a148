/**
 * Prometheus metrics of one node (GET /metrics) and the counters the admin dashboard reads. One registry
 * per node instance (never the global one), so several nodes can live in one test process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Creates the node's registry and every metric it exports. */
export function createMetrics(nodeId: string, opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    socketsConnected: new Gauge({ name: "arena_sockets_connected", help: "Sockets connected to this node", registers: r }),
    socketEvents: new Counter({ name: "arena_socket_events_total", help: "Inbound socket events handled", labelNames: ["event"], registers: r }),
    invalidPayloads: new Counter({ name: "arena_invalid_payloads_total", help: "Inbound payloads refused by schema", labelNames: ["event"], registers: r }),
    unknownEvents: new Counter({ name: "arena_unknown_events_total", help: "Inbound socket events not in the protocol", registers: r }),
    handlerErrors: new Counter({ name: "arena_handler_errors_total", help: "Socket/HTTP handler errors by code", labelNames: ["code"], registers: r }),
    rateLimited: new Counter({ name: "arena_rate_limited_total", help: "Requests refused by a rate limit", labelNames: ["action"], registers: r }),
    inputsDropped: new Counter({ name: "arena_inputs_dropped_total", help: "Game inputs dropped (over budget or invalid)", labelNames: ["reason"], registers: r }),
    sessionsCreated: new Counter({ name: "arena_sessions_created_total", help: "Logins", registers: r }),
    socketsReplaced: new Counter({ name: "arena_sockets_replaced_total", help: "Sockets disconnected by a newer one of the same player", registers: r }),
    queueJoins: new Counter({ name: "arena_queue_joins_total", help: "Tickets created", registers: r }),
    matchesCreated: new Counter({ name: "arena_matches_created_total", help: "Matches created by this node's matchmaker", registers: r }),
    matchmakerPass: new Histogram({ name: "arena_matchmaker_pass_seconds", help: "Matchmaker pass duration", buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: r }),
    matchesHosted: new Gauge({ name: "arena_matches_hosted", help: "Matches this node hosts now", registers: r }),
    tickSeconds: new Histogram({ name: "arena_tick_seconds", help: "Simulation tick duration", buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05], registers: r }),
    resultsApplied: new Counter({ name: "arena_results_applied_total", help: "Match results applied to the boards", registers: r }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
