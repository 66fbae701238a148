/** What main.ts wires: a view renders from the state (prev is null on the first render). */
import type { AppState } from "../state/app-state.ts";

export interface View {
  render(state: AppState, prev: AppState | null): void;
}

/** One of the `.screen` sections: also says where keyboard focus goes when it comes up. */
export interface ScreenView extends View {
  focus(state: AppState): HTMLElement | undefined;
}
