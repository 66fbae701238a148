/**
 * Every environment variable the node reads, in sections by the feature that owns it, with its default
 * and its meaning. README's configuration table is generated from this (scripts/config-table.ts) and a
 * test checks it lists every variable.
 */
import { addressList, bool, hostPortList, int, intList, labelledTokens, oneOf, rateRules, redisUrl, str, urlList, v } from "./config-parsers.ts";

export const CONFIG_SECTIONS = {
  Node: {
    PORT: v(int(0, 65535), "3000", "HTTP + websocket port (0 = any free port)."),
    HOST: v(str(), "0.0.0.0", "Interface to listen on."),
    LISTEN_BACKLOG: v(int(1, 65535), "4096", "Length of the TCP accept queue (Node's default is 511; the kernel caps it at net.core.somaxconn). When a node dies its players reconnect to the survivors all at once: a short queue drops their SYNs, and each retry waits 1, 3, 7, 15 s..."),
    NODE_ID: v(str(/^[A-Za-z0-9._-]{1,64}$/, "1-64 of A-Z a-z 0-9 . _ -"), undefined, "This node's id (default: hostname-pid-random)."),
    LOG_LEVEL: v(oneOf("fatal", "error", "warn", "info", "debug", "trace", "silent"), "info", "pino log level."),
    SHUTDOWN_GRACE_MS: v(int(1000, 120_000), "10000", "Longest a graceful shutdown (SIGTERM/SIGINT) may take before the process exits anyway."),
    SHUTDOWN_DRAIN_MS: v(int(0, 60_000), "0", "On SIGTERM, how long /readyz answers 503 while the node still serves, so the load balancer's health check takes it out before it hands its matches over (e.g. 3000 behind HAProxy; must be below SHUTDOWN_GRACE_MS)."),
    MAX_PAYLOAD_BYTES: v(int(256, 1_048_576), "16384", "Largest socket message or HTTP body accepted."),
    TRUST_PROXY: v(addressList, "false", "Proxies (addresses/CIDRs, comma-separated) whose X-Forwarded-For is believed; the client is the right-most entry not itself a listed proxy. `false`: none; `true`: `loopback` only."),
    ADMIN_TOKEN: v(str(/^.{16,}$/, "at least 16 characters"), undefined, "Admin token (label `admin`) of /admin/api, the /admin namespace and the dashboard. Unset (and no ADMIN_TOKENS): admin disabled."),
    ADMIN_TOKENS: v(labelledTokens, undefined, "Several labelled admin tokens, `label:token,label:token`; the label is the audit log's \"who\" (ADMIN_TOKEN's label is `admin`)."),
    CLUSTER_NODES: v(int(1, 64), "3", "Node processes `npm run cluster` starts (or `npm run cluster -- <n>`)."),
  },
  Redis: {
    REDIS_URL: v(redisUrl, undefined, "Redis to use. Unset (and no REDIS_CLUSTER_NODES): `npm start` spawns an embedded redis-server."),
    REDIS_CLUSTER_NODES: v(hostPortList, undefined, "Redis Cluster seed nodes `host:port,host:port`; when set, every connection is a cluster client (REDIS_URL is ignored)."),
    REDIS_PASSWORD: v(str(), undefined, "Password of the Redis Cluster nodes (a single Redis takes it in REDIS_URL)."),
    KEY_PREFIX: v(str(/^[A-Za-z0-9:_-]{1,32}$/, "1-32 of A-Z a-z 0-9 : _ -"), "arena:", "Prefix of every Redis key and pub/sub channel."),
    REDIS_ENGINE: v(oneOf("single", "cluster"), "single", "Embedded Redis that `npm run cluster` starts when neither REDIS_URL nor REDIS_CLUSTER_NODES is set: one redis-server, or a local Redis Cluster of 3 masters + 3 replicas (also `npm run cluster -- --redis-cluster`)."),
    REDIS_EMBEDDED_PORT: v(int(0, 65535), "0", "Port for the embedded redis-server (0 = a free port)."),
    REDIS_DATA_DIR: v(str(), ".data/redis", "Data folder (AOF) of the embedded redis-server."),
    REDLOCK_URLS: v(urlList, undefined, "Comma-separated independent Redis URLs for a real Redlock quorum (default: the main Redis)."),
  },
  Sessions: {
    SESSION_TTL_SECONDS: v(int(60, 30 * 86400), "86400", "Sliding session lifetime; refreshed on use."),
    MAX_SESSIONS_PER_DEVICE: v(int(1, 1000), "5", "Live sessions one device may hold; a new login revokes the oldest beyond it."),
  },
  Players: {
    GUEST_TTL_DAYS: v(int(0, 3650), "30", "A player who never finished a match is deleted (with its device id) this long after its last login (0 = never)."),
  },
  Matchmaking: {
    MATCHMAKER_INTERVAL_MS: v(int(10, 60_000), "200", "Time between matchmaker passes on each node."),
    MATCH_MIN_PLAYERS: v(int(2, 8), "2", "Smallest match."),
    MATCH_MAX_PLAYERS: v(int(2, 8), "8", "Largest match."),
    MATCH_FILL_WAIT_MS: v(int(0, 600_000), "8000", "Wait before a match may start with fewer than MATCH_MAX_PLAYERS."),
    RADIUS_STEPS_KM: v(intList, "100,500,2000,20040", "Search radius steps (km); the last is worldwide."),
    RADIUS_STEPS_MS: v(intList, "0,5000,10000,20000", "Wait (ms) at which each radius step starts."),
    SKILL_BANDS: v(intList, "100,200,400,100000", "Skill-rating band (+-) at each step."),
    TICKET_TTL_SECONDS: v(int(10, 3600), "120", "A ticket not refreshed by its player's node expires."),
    QUEUE_DISCONNECT_GRACE_MS: v(int(0, 120_000), "5000", "A disconnected player's ticket survives this long."),
  },
  Matches: {
    TICK_HZ: v(int(1, 120), "20", "Simulation tick rate."),
    MATCH_DURATION_MS: v(int(1000, 3_600_000), "90000", "Length of a round."),
    MATCH_COUNTDOWN_MS: v(int(0, 60_000), "3000", "Countdown before a round."),
    RECONNECT_GRACE_MS: v(int(0, 600_000), "30000", "A dropped player keeps their place this long."),
    MATCH_LEASE_MS: v(int(500, 60_000), "2000", "Host lease on a match; another node takes over after it lapses."),
    CHECKPOINT_INTERVAL_MS: v(int(100, 60_000), "1000", "How often the host checkpoints match state."),
  },
  Nodes: {
    HEARTBEAT_INTERVAL_MS: v(int(100, 60_000), "1000", "Node registry heartbeat."),
    NODE_TTL_MS: v(int(500, 120_000), "5000", "A node missing heartbeats this long is dead."),
    HOST_LOCALITY_WEIGHT: v(int(0, 1000), "10", "A new match is hosted where most of its players are connected unless that node's load is more than this many matches above another node's (0 = least loaded only)."),
    OVERLOAD_LOOP_P99_MS: v(int(0, 60_000), "250", "Event-loop delay p99 (ms, per heartbeat interval) past which the node is busy (0 = not checked). Overloaded (busy for OVERLOAD_ENTER_MS), it takes no new matches and refuses new connections with NODE_OVERLOADED; players already on it keep playing."),
    OVERLOAD_CPU_PERCENT: v(int(0, 10_000), "0", "Process CPU (percent of one core) past which the node is busy (0 = not checked: a node may run near 100 % and still tick on time; set e.g. 85 to keep headroom)."),
    OVERLOAD_ENTER_MS: v(int(0, 600_000), "2000", "How long the node must stay busy before it counts as overloaded."),
    OVERLOAD_LEAVE_MS: v(int(0, 600_000), "5000", "How long an overloaded node must stay below 80 % of both limits before it accepts again."),
  },
  Boards: {
    RESULTS_BATCH: v(int(1, 1000), "100", "Results read from the stream (or reclaimed) per batch."),
    RESULTS_BLOCK_MS: v(int(10, 10_000), "1000", "How long one XREADGROUP blocks waiting for results."),
    RESULTS_CLAIM_IDLE_MS: v(int(50, 3_600_000), "30000", "A result pending this long (its consumer died) is reclaimed by another node."),
    RESULTS_MAX_AGE_SECONDS: v(int(60, 30 * 86400), "172800", "Results that ended longer ago are not applied; dedupe markers live this long plus a day."),
    BOARDS_DAILY_GRACE_DAYS: v(int(0, 366), "7", "Days a daily board stays readable after its day ends."),
    BOARDS_WEEKLY_GRACE_WEEKS: v(int(0, 104), "5", "Weeks a weekly board stays readable after its week ends."),
    BOARDS_CACHE_TTL_MS: v(int(0, 60_000), "1000", "Lifetime of the cached top-100 page (0 = no cache)."),
    BOARDS_PUSH_INTERVAL_MS: v(int(100, 60_000), "1000", "Least time between two top-10 pushes of one board."),
    ANALYTICS_RETENTION_DAYS: v(int(1, 3650), "90", "Days daily analytics (unique players, counters) are kept."),
    ANALYTICS_SERIES_HOURS: v(int(1, 24 * 90), "48", "Hours per-minute series (CCU, matches started, queue joins) are kept."),
    ANALYTICS_FLUSH_MS: v(int(50, 60_000), "5000", "How often a node flushes its analytics counters and CCU sample."),
  },
  Limits: {
    RATE_LIMITS: v(rateRules, "", "Overrides, e.g. `login=10/60s,queue_join=5/10s` (action=count/period)."),
    INPUT_RATE_PER_SECOND: v(int(1, 1000), "60", "Game inputs a socket may send per second (local budget)."),
    BAN_THRESHOLD: v(int(1, 100_000), "50", "Violation score that triggers a temporary ban."),
    BAN_SECONDS: v(int(1, 30 * 86400), "900", "Length of a temporary ban."),
    IP_BAN_THRESHOLD: v(int(1, 1_000_000), "200", "Violation score that bans an IP (higher: many players may share one address)."),
    VIOLATION_DECAY_SECONDS: v(int(1, 30 * 86400), "600", "Time for a score of BAN_THRESHOLD to decay to zero (linear)."),
    GOOD_STANDING_SECONDS: v(int(0, 30 * 86400), "3600", "An address a player in good standing connected from within this window is never banned automatically (0 = no such protection)."),
    NEW_DEVICE_BLOCK_SECONDS: v(int(0, 30 * 86400), "900", "After a player ban, new devices cannot log in from the player's last address for this long (at most the ban; 0 = off)."),
  },
  Edge: {
    MAX_CONNECTIONS_PER_IP: v(int(0, 1_000_000), "256", "Open TCP connections one address may hold on a node (0 = no cap); listed proxies are exempt."),
    MAX_CONNECTIONS: v(int(0, 10_000_000), "0", "Open TCP connections per node (0 = the open-file limit minus 128, when it can be read)."),
    HANDSHAKES_PER_IP_PER_SECOND: v(int(0, 100_000), "20", "Socket handshakes per second one address may start on a node, bursting to 3 s worth (0 = no cap)."),
    HTTP_HEADERS_TIMEOUT_MS: v(int(1000, 600_000), "10000", "A connection must send a complete request head within this time (idle connections are closed with 408)."),
    HTTP_REQUEST_TIMEOUT_MS: v(int(1000, 600_000), "30000", "A request (head and body) must arrive within this time (408)."),
    HTTP_IDLE_TIMEOUT_MS: v(int(1000, 3_600_000), "30000", "A connection with no traffic either way for this long is closed (websockets excepted: their heartbeat does it)."),
    HTTP_KEEPALIVE_TIMEOUT_MS: v(int(1000, 600_000), "72000", "Idle keep-alive time between two requests (longer than common load balancers' 60 s)."),
    METRICS_PORT: v(int(0, 65535), undefined, "Serve /metrics on this separate port only (e.g. 9100 for Prometheus; 0 = any free port). Unset: on the main port, guarded by METRICS_TOKEN / METRICS_ALLOW."),
    METRICS_TOKEN: v(str(/^.{16,}$/, "at least 16 characters"), undefined, "Bearer token for /metrics on the main port."),
    METRICS_ALLOW: v(addressList, "loopback", "Addresses/CIDRs that may read /metrics on the main port without the token (`false`: none)."),
    METRICS_CACHE_MS: v(int(0, 60_000), "1000", "A rendered /metrics page is reused this long (one render at a time; 0 = render each scrape)."),
    METRICS_SCRAPES_PER_IP_PER_SECOND: v(int(0, 10_000), "10", "Scrapes of /metrics one address may make per second, bursting to twice that (0 = no cap); over it: 429."),
  },
} as const;

type Sections = typeof CONFIG_SECTIONS;
type Flat = { [S in keyof Sections]: Sections[S] }[keyof Sections];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every variable, flat (names are unique across sections). */
export const CONFIG_SPEC = Object.assign({}, ...Object.values(CONFIG_SECTIONS)) as UnionToIntersection<Flat>;

/** Variables whose values are or may hold secrets (URLs carry passwords): never echoed, not even in config errors. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(["ADMIN_TOKEN", "ADMIN_TOKENS", "REDIS_PASSWORD", "METRICS_TOKEN", "REDIS_URL", "REDLOCK_URLS"]);
