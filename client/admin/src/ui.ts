/**
 * Small shared components. Everything is rendered through Preact text nodes and attributes: player names
 * and other server strings are never parsed as HTML (no innerHTML anywhere in the dashboard).
 */
import { html } from "htm/preact";
import { createContext, type ComponentChildren } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import type { WhoAmI } from "../../../shared/admin-api.ts";
import { AdminApiError } from "./api.ts";

export { html };

/** Who is signed in and what this deployment can do. */
export const Session = createContext<WhoAmI | null>(null);
export const useSession = () => useContext(Session)!;

export function Panel(props: { title?: string; class?: string; children?: ComponentChildren; actions?: ComponentChildren }) {
  return html`<section class=${`panel ${props.class ?? ""}`}>
    ${props.title ? html`<div class="row"><h3>${props.title}</h3><span class="spacer"></span>${props.actions}</div>` : null}
    ${props.children}
  </section>`;
}

export function Stat(props: { label: string; value: ComponentChildren; sub?: ComponentChildren; tone?: string }) {
  return html`<div class="panel stat" data-stat=${props.label}>
    <h3>${props.label}</h3>
    <div class=${`value ${props.tone ?? ""}`}>${props.value}</div>
    ${props.sub ? html`<div class="sub">${props.sub}</div>` : null}
  </div>`;
}

export function Badge(props: { tone?: "good" | "warn" | "bad"; children?: ComponentChildren }) {
  return html`<span class=${`badge ${props.tone ?? ""}`}>${props.children}</span>`;
}

export function Empty(props: { children?: ComponentChildren }) {
  return html`<div class="empty">${props.children}</div>`;
}

// ---- toasts -------------------------------------------------------------------------------------------

type Toast = { id: number; text: string; bad: boolean };
let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<(t: Toast[]) => void>();

/** Shows a short confirmation (or an error) in the corner. */
export function toast(text: string, bad = false): void {
  const t = { id: nextId++, text, bad };
  toasts = [...toasts, t];
  for (const l of listeners) l(toasts);
  setTimeout(() => {
    toasts = toasts.filter((x) => x.id !== t.id);
    for (const l of listeners) l(toasts);
  }, bad ? 8000 : 4000);
}

/** Toasts an action's failure with its code. */
export function toastError(err: unknown): void {
  if (err instanceof AdminApiError) toast(`${err.body.code}: ${err.body.message}`, true);
  else toast(err instanceof Error ? err.message : String(err), true);
}

export function Toasts() {
  const [list, setList] = useState(toasts);
  useEffect(() => {
    listeners.add(setList);
    return () => void listeners.delete(setList);
  }, []);
  return html`<div class="toasts" role="status" aria-live="polite">${list.map((t) => html`<div key=${t.id} class=${`toast ${t.bad ? "bad" : ""}`}>${t.text}</div>`)}</div>`;
}

/** A button that asks to be clicked again before it acts (no browser dialogs). */
export function ConfirmButton(props: { label: string; confirm?: string; class?: string; disabled?: boolean; title?: string; onConfirm: () => Promise<unknown> | void }) {
  const [armed, setArmed] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(t);
  }, [armed]);
  const click = async () => {
    if (!armed) return setArmed(true);
    setArmed(false);
    setBusy(true);
    try {
      await props.onConfirm();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" class=${props.class ?? "small danger"} disabled=${props.disabled || busy} title=${props.title} onClick=${click}>
    ${armed ? (props.confirm ?? `Confirm ${props.label.toLowerCase()}`) : props.label}
  </button>`;
}

/** Ticks every `ms` so relative times ("4 s ago") stay current between pushes. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
