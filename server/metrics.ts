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
    violations: new Counter({ name: "arena_violations_total", help: "Abuse violations recorded, by reason", labelNames: ["reason"], registers: r }),
    bans: new Counter({ name: "arena_bans_total", help: "Temporary bans issued by this node, by subject kind", labelNames: ["kind"], registers: r }),
    inboxDropped: new Counter({ name: "arena_inbox_dropped_total", help: "Inter-node messages dropped at the inbox, by reason", labelNames: ["reason"], registers: r }),
    eventLoopP99: new Gauge({ name: "arena_event_loop_delay_p99_seconds", help: "Event-loop delay p99 over the last heartbeat interval (1 ms resolution)", registers: r }),
    eventLoopUtilization: new Gauge({ name: "arena_event_loop_utilization", help: "Share of the last heartbeat interval the event loop was busy (0..1)", registers: r }),
    connectionsOverloaded: new Counter({ name: "arena_connections_refused_overloaded_total", help: "Socket handshakes refused because this node was overloaded (NODE_OVERLOADED)", registers: r }),
    overloaded: new Gauge({ name: "arena_node_overloaded", help: "1 while this node is overloaded: it takes no new matches and refuses new connections", registers: r }),
    inputFloods: new Counter({ name: "arena_input_floods_total", help: "Sockets disconnected for flooding game inputs", registers: r }),
    sessionsCreated: new Counter({ name: "arena_sessions_created_total", help: "Logins", registers: r }),
    socketsReplaced: new Counter({ name: "arena_sockets_replaced_total", help: "Sockets disconnected by a newer one of the same player", registers: r }),
    queueJoins: new Counter({ name: "arena_queue_joins_total", help: "Tickets created", registers: r }),
    matchesCreated: new Counter({ name: "arena_matches_created_total", help: "Matches created by this node's matchmaker", registers: r }),
    matchmakerPass: new Histogram({ name: "arena_matchmaker_pass_seconds", help: "Matchmaker pass duration", buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: r }),
    matchmakerSkipped: new Counter({ name: "arena_matchmaker_skipped_total", help: "Matchmaker passes skipped, by reason (locked, busy)", labelNames: ["reason"], registers: r }),
    claimsRefused: new Counter({ name: "arena_claims_refused_total", help: "Match claims refused by the claim script, by reason", labelNames: ["reason"], registers: r }),
    queueWait: new Histogram({ name: "arena_queue_wait_seconds", help: "Time from queue:join to match creation", buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120], registers: r }),
    matchesHosted: new Gauge({ name: "arena_matches_hosted", help: "Matches this node hosts now", registers: r }),
    tickSeconds: new Histogram({ name: "arena_tick_seconds", help: "Simulation tick duration", buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05], registers: r }),
    ticksSkipped: new Counter({ name: "arena_ticks_skipped_total", help: "Match ticks skipped after a stall longer than the catch-up (the node could not keep its tick rate)", registers: r }),
    resultsAppended: new Counter({ name: "arena_match_results_appended_total", help: "Match results this node's hosts handed to the results stream", registers: r }),
    resultsApplied: new Counter({ name: "arena_results_applied_total", help: "Match results applied to the boards", registers: r }),
    resultsSkipped: new Counter({ name: "arena_results_skipped_total", help: "Result entries acked without applying, by reason", labelNames: ["reason"], registers: r }),
    resultsPending: new Gauge({ name: "arena_results_pending", help: "Result entries not yet applied: read but not acked by any consumer, plus not yet read (the group's lag)", registers: r }),
    resultsReclaimed: new Counter({ name: "arena_results_reclaimed_total", help: "Pending result entries reclaimed from dead consumers", registers: r }),
    boardsCache: new Counter({ name: "arena_boards_cache_total", help: "Top-100 page cache lookups, by outcome", labelNames: ["outcome"], registers: r }),
    boardsPushes: new Counter({ name: "arena_boards_pushes_total", help: "Top-10 pushes broadcast by this node", labelNames: ["period"], registers: r }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
