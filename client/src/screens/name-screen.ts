/** Name entry (the login): validated by the reducer, sent by the `login` command. */
import { byId } from "../dom.ts";
import type { Dispatch } from "../store.ts";
import type { ScreenView } from "./view.ts";

export function mountNameScreen(dispatch: Dispatch): ScreenView {
  const form = byId<HTMLFormElement>("name-form");
  const input = byId<HTMLInputElement>("name-input");
  const submit = byId<HTMLButtonElement>("name-submit");
  const error = byId("name-error");
  // The script runs: the "build the client" hint is not needed.
  byId("boot-note").hidden = true;

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    dispatch({ type: "name:submit", raw: input.value });
  });

  return {
    render(s, prev) {
      // Prefill once per visit, not on every render (that would fight the typing).
      if (s.screen === "name" && prev?.screen !== "name") input.value = s.player.name ?? "";
      if (s.nameForm === prev?.nameForm) return;
      error.textContent = s.nameForm.error;
      submit.disabled = s.nameForm.pending;
      if (s.screen === "name" && prev?.screen === "name" && s.nameForm.error) input.focus();
    },
    focus: () => input,
  };
}
