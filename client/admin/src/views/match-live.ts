/**
 * The live view of one match: watches it over the /admin namespace and draws each snapshot on a canvas
 * (players as coloured discs with their names as canvas text, orbs, phase and time left).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { AdminMatchSnapshot, MatchDetail } from "../../../../shared/admin-api.ts";
import type { Snapshot } from "../../../../shared/game/types.ts";
import { liveSocket, request } from "../live.ts";
import { html } from "../ui.ts";

const COLORS = ["#4f8cff", "#ff5d6c", "#2ecc8f", "#f5b942", "#b58cff", "#38c6f4", "#ff8a5c", "#e76fd1"];

function draw(canvas: HTMLCanvasElement, d: MatchDetail, s: Snapshot): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = Math.round((w * d.arena.height) / d.arena.width);
  if (canvas.width !== w * dpr) {
    canvas.width = w * dpr;
    canvas.height = h * dpr;
    canvas.style.height = `${h}px`;
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const k = w / d.arena.width;
  ctx.fillStyle = "#0e1622";
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = "#1a2433";
  for (let x = 0; x <= d.arena.width; x += 100) {
    ctx.beginPath();
    ctx.moveTo(x * k, 0);
    ctx.lineTo(x * k, h);
    ctx.stroke();
  }
  for (let y = 0; y <= d.arena.height; y += 100) {
    ctx.beginPath();
    ctx.moveTo(0, y * k);
    ctx.lineTo(w, y * k);
    ctx.stroke();
  }
  for (const [, x, y, value] of s.o) {
    ctx.beginPath();
    ctx.arc(x * k, y * k, Math.max(2, 11 * k), 0, Math.PI * 2);
    ctx.fillStyle = value > 1 ? "#ffd166" : "#4cf0d0";
    ctx.fill();
  }
  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textAlign = "center";
  for (const [index, x, y, score, , , , , dashMs, stunMs] of s.p) {
    const name = d.roster.find((r) => r.index === index)?.name ?? `#${index}`;
    ctx.beginPath();
    ctx.arc(x * k, y * k, Math.max(4, 22 * k), 0, Math.PI * 2);
    ctx.fillStyle = COLORS[index % COLORS.length]!;
    ctx.globalAlpha = stunMs > 0 ? 0.5 : 1;
    ctx.fill();
    ctx.globalAlpha = 1;
    if (dashMs > 0) {
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    ctx.fillStyle = "#e6edf5";
    ctx.fillText(`${name} · ${score}`, x * k, y * k - Math.max(8, 22 * k) - 5);
  }
}

/** Watches a match while mounted; `onGone` when it ends or disappears. */
export function MatchLive(props: { detail: MatchDetail; onSnapshot?: (s: Snapshot) => void; onGone?: () => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [info, setInfo] = useState<{ n: number; source: string }>({ n: props.detail.snapshot?.n ?? 0, source: "checkpoint" });
  useEffect(() => {
    const s = liveSocket();
    const detail = props.detail;
    if (detail.snapshot && canvas.current) draw(canvas.current, detail, detail.snapshot);
    if (!s) return;
    const onSnap = (m: AdminMatchSnapshot) => {
      if (m.matchId !== detail.matchId || !canvas.current) return;
      draw(canvas.current, detail, m.snapshot);
      setInfo({ n: m.snapshot.n, source: m.source });
      props.onSnapshot?.(m.snapshot);
    };
    const onGone = (g: { matchId: string }) => g.matchId === detail.matchId && props.onGone?.();
    const watch = () => void request("admin:match:watch", { matchId: detail.matchId }).catch(() => props.onGone?.());
    s.on("admin:match:snapshot", onSnap);
    s.on("admin:match:gone", onGone);
    s.on("connect", watch);
    if (s.connected) watch();
    return () => {
      s.off("admin:match:snapshot", onSnap);
      s.off("admin:match:gone", onGone);
      s.off("connect", watch);
      if (s.connected) void request("admin:match:unwatch", {}).catch(() => {});
    };
  }, [props.detail.matchId]);
  return html`<div class="arena">
    <canvas ref=${canvas} id="match-canvas" role="img" aria-label="Live view of the match"></canvas>
    <div class="muted" id="match-tick">tick ${info.n} · ${info.source === "host" ? "live from the host" : "from checkpoints (about 1/s)"}</div>
  </div>`;
}
