/**
 * The few DOM helpers the client needs. Text always goes in as text nodes (never innerHTML), so player
 * names and server messages are inert whatever they contain.
 */

/** An element with attributes and children; string children become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  children: (Node | string)[] | string = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== "") node.setAttribute(k, v);
  for (const c of typeof children === "string" ? [children] : children) node.append(typeof c === "string" ? document.createTextNode(c) : c);
  return node;
}

/** Removes every child. */
export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** The element with this id, typed; throws at start-up when the page and the code disagree. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from index.html`);
  return node as T;
}

/** Shows exactly one of the `.screen` sections and moves keyboard focus into it. */
export function showScreen(id: string, focus?: HTMLElement): void {
  for (const s of document.querySelectorAll<HTMLElement>(".screen")) s.hidden = s.id !== id;
  document.body.dataset.screen = id.replace(/^screen-/, "");
  (focus ?? document.getElementById(id)?.querySelector<HTMLElement>("[autofocus], button, input, select, canvas"))?.focus();
}
