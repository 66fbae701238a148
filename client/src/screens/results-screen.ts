/** The end screen: placements from `match:end` and the all-time top 10, live while the screen is up. */
import type { BoardsState, ResultsState } from "../state/app-state.ts";
import { byId, clear, el } from "../dom.ts";
import type { Dispatch } from "../store.ts";
import type { ScreenView } from "./view.ts";

export function mountResultsScreen(dispatch: Dispatch): ScreenView {
  const $ = {
    title: byId("end-title"),
    results: byId("results"),
    playAgain: byId<HTMLButtonElement>("play-again"),
    toLobby: byId<HTMLButtonElement>("to-lobby"),
    boardsList: byId("boards-list"),
    boardsNote: byId("boards-note"),
  };
  $.playAgain.addEventListener("click", () => dispatch({ type: "play-again", now: performance.now() }));
  $.toLobby.addEventListener("click", () => dispatch({ type: "lobby" }));

  function renderResults(r: ResultsState): void {
    $.title.textContent = r.title;
    clear($.results);
    for (const row of r.rows) {
      $.results.append(
        el("li", { class: row.me ? "me" : "" }, [
          el("span", { class: "place" }, `#${row.placement}`),
          el("span", { class: "name" }, row.name),
          el("span", { class: "score" }, String(row.score)),
        ]),
      );
    }
  }

  function renderBoards(b: BoardsState, playerId: string | null, entriesChanged: boolean): void {
    $.boardsNote.textContent = b.note;
    if (!entriesChanged) return;
    clear($.boardsList);
    for (const en of b.entries) {
      const li = el("li", { class: en.playerId === playerId ? "me" : "" }, [el("span", {}, String(en.name)), el("span", {}, String(en.score))]);
      li.value = en.rank;
      $.boardsList.append(li);
    }
  }

  return {
    render(s, prev) {
      if (s.results && s.results !== prev?.results) renderResults(s.results);
      if (s.boards !== prev?.boards) renderBoards(s.boards, s.player.playerId, s.boards.entries !== prev?.boards.entries);
    },
    focus: () => $.playAgain,
  };
}
