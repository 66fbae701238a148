/**
 * The two banners under the top bar: one for server notices and client messages (with "Play here" /
 * "Reconnect" when the connection stopped for good), one for the operator's announcement. Both can be
 * dismissed; neither takes the other's place.
 */
import type { Banner } from "../state/app-state.ts";
import type { Announcement } from "../../../shared/protocol.ts";
import { byId } from "../dom.ts";
import type { Dispatch } from "../store.ts";
import type { View } from "./view.ts";

export function mountBanners(dispatch: Dispatch): View {
  const $ = {
    banner: byId("banner"),
    text: byId("banner-text"),
    action: byId<HTMLButtonElement>("banner-action"),
    close: byId<HTMLButtonElement>("banner-close"),
    announcement: byId("announcement"),
    announcementText: byId("announcement-text"),
    announcementClose: byId<HTMLButtonElement>("announcement-close"),
  };
  $.action.addEventListener("click", () => dispatch({ type: "banner:act" }));
  $.close.addEventListener("click", () => dispatch({ type: "banner:close" }));
  $.announcementClose.addEventListener("click", () => dispatch({ type: "announcement:dismiss" }));

  function renderBanner(b: Banner | null): void {
    $.banner.hidden = !b;
    $.text.textContent = b?.text ?? "";
    $.action.hidden = !b?.action;
    $.action.textContent = b?.action ?? "";
  }

  function renderAnnouncement(a: Announcement | null): void {
    $.announcement.hidden = !a;
    $.announcementText.textContent = a?.message ?? "";
  }

  return {
    render(s, prev) {
      if (s.banner !== prev?.banner) renderBanner(s.banner);
      if (s.announcement !== prev?.announcement) renderAnnouncement(s.announcement);
    },
  };
}
