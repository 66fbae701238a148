/**
 * The one place the client state changes: dispatch reduces, tells the views (which render from the
 * state), then runs the commands the transition asked for. A command's outcome is dispatched in turn,
 * possibly from inside the run (a synchronous status change), which is fine: the state is already set.
 */
import { reduce, type Action, type AppState, type Command } from "./state/app-state.ts";

export type Dispatch = (action: Action) => void;
export type Listener = (state: AppState, prev: AppState) => void;

export interface Store {
  readonly state: AppState;
  dispatch: Dispatch;
  subscribe(listener: Listener): void;
}

export function createStore(initial: AppState, run: (command: Command) => void): Store {
  let state = initial;
  const listeners: Listener[] = [];
  return {
    get state() {
      return state;
    },
    dispatch(action) {
      const prev = state;
      state = reduce(prev, action);
      const next = state;
      for (const l of listeners) l(next, prev);
      for (const c of next.commands) run(c);
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}
