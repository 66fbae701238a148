/**
 * Entry point of the ops dashboard (/admin/): the sign-in screen until a token is accepted, then the
 * shell. The token lives in sessionStorage only (gone with the tab), is sent as a bearer header to
 * /admin/api and in the handshake auth of the /admin namespace, and never appears in a URL.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { WhoAmI } from "../../../shared/admin-api.ts";
import { api, setAuthLostHandler, tokenStore } from "./api.ts";
import { closeLive, connectLive } from "./live.ts";
import { App } from "./app.ts";
import { html } from "./ui.ts";

function SignIn(props: { message: string; onSignedIn: (who: WhoAmI, token: string) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState(props.message);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return setError("Enter the admin token.");
    setBusy(true);
    try {
      props.onSignedIn(await api<WhoAmI>("GET", "/whoami", undefined, t), t);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="signin">
    <form onSubmit=${submit} novalidate>
      <h1><span class="muted">redis-arena</span> ops</h1>
      <p>Sign in with an admin token (ADMIN_TOKEN or one of ADMIN_TOKENS). It is kept for this tab only.</p>
      <label>Admin token
        <input id="token" type="password" autocomplete="current-password" value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} autofocus />
      </label>
      <div class="error" role="alert">${error}</div>
      <button type="submit" disabled=${busy}>${busy ? "Checking…" : "Sign in"}</button>
    </form>
  </div>`;
}

function Root() {
  const [who, setWho] = useState<WhoAmI | null>(null);
  const [message, setMessage] = useState("");
  const signOut = (msg = "") => {
    tokenStore.clear();
    closeLive();
    setWho(null);
    setMessage(msg);
  };
  setAuthLostHandler((m) => signOut(`Signed out: ${m}`));
  const signedIn = (w: WhoAmI, token: string) => {
    tokenStore.set(token);
    connectLive(token, (m) => signOut(`Signed out: ${m}`));
    setMessage("");
    setWho(w);
  };
  const [resuming, setResuming] = useState(() => tokenStore.get() !== null);
  useEffect(() => {
    const stored = tokenStore.get();
    if (!stored) return;
    api<WhoAmI>("GET", "/whoami", undefined, stored)
      .then((w) => signedIn(w, stored), () => tokenStore.clear())
      .finally(() => setResuming(false));
  }, []);
  if (resuming) return html`<p class="boot">Signing in…</p>`;
  if (!who) return html`<${SignIn} message=${message} onSignedIn=${signedIn} />`;
  return html`<${App} who=${who} onSignOut=${() => signOut()} />`;
}

// A stored token (a reload in the same tab) signs in again without asking.
const root = document.getElementById("app")!;
root.textContent = "";
render(html`<${Root} />`, root);
