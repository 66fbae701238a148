/**
 * The matchmaking map: a world map drawn on canvas with d3-geo (Natural Earth projection) from the
 * world-atlas TopoJSON bundled with the page (no tiles, no network), each waiting ticket as a dot and its
 * current search radius as a geodesic circle (d3.geoCircle), coloured by queue. Hovering a dot shows the
 * ticket; its name is drawn as text (canvas text and a Preact text node: never parsed as HTML).
 */
import { geoCircle, geoGraticule10, geoNaturalEarth1, geoPath, type GeoProjection } from "d3-geo";
import { feature, mesh } from "topojson-client";
import type { Topology, GeometryCollection } from "topojson-specification";
import { useEffect, useRef, useState } from "preact/hooks";
import countries from "world-atlas/countries-110m.json" with { type: "json" };
import type { TicketPoint } from "../../../../shared/admin-api.ts";
import { REGIONS, REGION_IDS } from "../../../../shared/regions.ts";
import { duration, int } from "../format.ts";
import { html } from "../ui.ts";

const topo = countries as unknown as Topology<{ countries: GeometryCollection; land: GeometryCollection }>;
const LAND = feature(topo, topo.objects.land);
const BORDERS = mesh(topo, topo.objects.countries, (a, b) => a !== b);
const KM_PER_DEGREE = 111.195;
/** A radius this wide is the worldwide step: drawn as a ring on the dot, not as a circle over the globe. */
const WORLDWIDE_KM = 19_000;

export const QUEUE_COLORS: Record<string, string> = {
  "na-west": "#4f8cff", "na-east": "#38c6f4", sa: "#2ecc8f", "eu-west": "#f5b942", "eu-east": "#ff8a5c",
  af: "#e76fd1", me: "#b58cff", "as-south": "#ff5d6c", "as-east": "#7be0a5", oc: "#ffd84f", world: "#e6edf5",
};

function drawBase(ctx: CanvasRenderingContext2D, proj: GeoProjection): void {
  const path = geoPath(proj, ctx);
  ctx.fillStyle = "#0e1622";
  ctx.beginPath();
  path({ type: "Sphere" });
  ctx.fill();
  ctx.strokeStyle = "#182234";
  ctx.lineWidth = 0.6;
  ctx.beginPath();
  path(geoGraticule10());
  ctx.stroke();
  ctx.fillStyle = "#1f2b3d";
  ctx.beginPath();
  path(LAND);
  ctx.fill();
  ctx.strokeStyle = "#32435c";
  ctx.lineWidth = 0.5;
  ctx.beginPath();
  path(BORDERS);
  ctx.stroke();
  ctx.strokeStyle = "#2b3a50";
  ctx.lineWidth = 1;
  ctx.beginPath();
  path({ type: "Sphere" });
  ctx.stroke();
}

function drawTickets(ctx: CanvasRenderingContext2D, proj: GeoProjection, tickets: readonly TicketPoint[], counts: Map<string, number>): void {
  const path = geoPath(proj, ctx);
  for (const t of tickets) {
    if (t.radiusKm >= WORLDWIDE_KM) continue;
    const color = QUEUE_COLORS[t.queue] ?? "#e6edf5";
    ctx.beginPath();
    path(geoCircle().center([t.lon, t.lat]).radius(t.radiusKm / KM_PER_DEGREE).precision(3)());
    ctx.fillStyle = `${color}14`;
    ctx.fill();
    ctx.strokeStyle = `${color}99`;
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  ctx.font = "600 11px system-ui, sans-serif";
  for (const id of REGION_IDS) {
    const p = proj([REGIONS[id].lon, REGIONS[id].lat]);
    if (!p) continue;
    const n = counts.get(id) ?? 0;
    ctx.fillStyle = n ? "#e6edf5" : "#5d6b80";
    ctx.fillText(n ? `${id} · ${n}` : id, p[0] + 6, p[1] - 6);
  }
  for (const t of tickets) {
    const p = proj([t.lon, t.lat]);
    if (!p) continue;
    const color = QUEUE_COLORS[t.queue] ?? "#e6edf5";
    ctx.beginPath();
    ctx.arc(p[0], p[1], 4, 0, Math.PI * 2);
    ctx.fillStyle = color;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = t.radiusKm >= WORLDWIDE_KM ? "#ffffff" : "#0c1118";
    ctx.stroke();
  }
}

export function WorldMap(props: { tickets: readonly TicketPoint[]; counts: Map<string, number> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const proj = useRef<GeoProjection | null>(null);
  const base = useRef<{ w: number; h: number; img: HTMLCanvasElement } | null>(null);
  const [hover, setHover] = useState<{ t: TicketPoint; x: number; y: number } | null>(null);
  const [size, setSize] = useState(0);

  useEffect(() => {
    const el = canvas.current!;
    const ro = new ResizeObserver(() => setSize(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current;
    if (!el || size === 0) return;
    const dpr = window.devicePixelRatio || 1;
    const w = size;
    const h = Math.round(w * 0.52);
    if (!base.current || base.current.w !== w) {
      proj.current = geoNaturalEarth1().fitExtent([[6, 6], [w - 6, h - 6]], { type: "Sphere" });
      const img = document.createElement("canvas");
      img.width = w * dpr;
      img.height = h * dpr;
      const bctx = img.getContext("2d")!;
      bctx.scale(dpr, dpr);
      drawBase(bctx, proj.current);
      base.current = { w, h, img };
      el.width = w * dpr;
      el.height = h * dpr;
      el.style.height = `${h}px`;
    }
    const ctx = el.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, el.width, el.height);
    ctx.drawImage(base.current.img, 0, 0);
    ctx.scale(dpr, dpr);
    drawTickets(ctx, proj.current!, props.tickets, props.counts);
  }, [props.tickets, size]);

  const onMove = (e: MouseEvent) => {
    const p = proj.current;
    if (!p) return;
    const r = canvas.current!.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    let best: TicketPoint | null = null;
    let bestD = 10;
    for (const t of props.tickets) {
      const q = p([t.lon, t.lat]);
      if (!q) continue;
      const d = Math.hypot(q[0] - x, q[1] - y);
      if (d < bestD) {
        bestD = d;
        best = t;
      }
    }
    setHover(best ? { t: best, x, y } : null);
  };

  const t = hover?.t;
  return html`<div class="map-wrap">
    <canvas ref=${canvas} id="world-map" aria-label="Waiting tickets on a world map" role="img" onMouseMove=${onMove} onMouseLeave=${() => setHover(null)}></canvas>
    ${t
      ? html`<div class="tooltip" style=${hover.x > (canvas.current?.clientWidth ?? 0) * 0.7 ? { right: `${(canvas.current?.clientWidth ?? 0) - hover.x + 14}px`, top: `${hover.y + 10}px` } : { left: `${hover.x + 14}px`, top: `${hover.y + 10}px` }}>
          <strong>${t.name}</strong> <span class="muted">${t.queue}${t.home !== t.queue ? ` (from ${t.home})` : ""}</span><br />
          waiting ${duration(t.waitMs)} · radius ${t.radiusKm >= WORLDWIDE_KM ? "worldwide" : `${int(t.radiusKm)} km`} · ±${int(t.skillBand)} of ${int(t.rating)}<br />
          <span class="muted mono">${t.node}</span>
        </div>`
      : null}
  </div>`;
}
