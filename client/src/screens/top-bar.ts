/** The bar on every screen: who is signed in, the connection, log out. */
import type { ConnectionStatus } from "../connection.ts";
import { byId } from "../dom.ts";
import type { Dispatch } from "../store.ts";
import type { View } from "./view.ts";

const STATUS_TEXT: Record<ConnectionStatus, string> = { connecting: "Connecting…", online: "Online", reconnecting: "Reconnecting…", stopped: "Offline" };

export function mountTopBar(dispatch: Dispatch): View {
  const who = byId("who");
  const conn = byId("conn-status");
  const logout = byId<HTMLButtonElement>("logout");
  logout.addEventListener("click", () => dispatch({ type: "logout" }));

  return {
    render(s, prev) {
      if (s.signedIn !== prev?.signedIn || s.player !== prev?.player) {
        who.textContent = s.signedIn ? (s.player.name ?? "") : "";
        logout.hidden = !s.signedIn;
      }
      const c = s.connection;
      if (c && c !== prev?.connection) {
        conn.className = `conn ${c.status}`;
        conn.textContent = STATUS_TEXT[c.status];
        conn.title = c.detail;
      }
    },
  };
}
