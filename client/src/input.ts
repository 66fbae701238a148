/**
 * Keyboard, pointer and touch controls, sampled once per frame as a direction and a dash button.
 * WASD/arrows steer, Space/Shift dash; holding the mouse or a finger on the arena steers towards it
 * (relative to the own player on screen), and the on-screen Dash button dashes.
 */
import type { Controls } from "./input-sender.ts";

const KEYS: Record<string, [number, number]> = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};
const DASH_KEYS = new Set(["Space", "ShiftLeft", "ShiftRight"]);
/** A tap is held "down" this long so a 20 Hz host is sure to see it in at least one tick. */
const DASH_LATCH_MS = 120;
/** Pointer distance (CSS px) from the player that means full speed; closer is slower. */
const POINTER_FULL_PX = 90;
const POINTER_DEAD_PX = 10;

function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export class InputController {
  private held = new Set<string>();
  private dashUntil = 0;
  private pointer: { id: number; x: number; y: number } | null = null;
  private readonly off: (() => void)[] = [];

  /** `origin()` gives the own player's position on screen (CSS px, client coordinates). */
  constructor(
    surface: HTMLElement,
    dashButton: HTMLElement,
    private readonly origin: () => { x: number; y: number } | null,
  ) {
    const on = <K extends keyof WindowEventMap>(t: Window, type: K, fn: (e: WindowEventMap[K]) => void) => {
      t.addEventListener(type, fn as EventListener);
      this.off.push(() => t.removeEventListener(type, fn as EventListener));
    };
    const onEl = <K extends keyof HTMLElementEventMap>(el: HTMLElement, type: K, fn: (e: HTMLElementEventMap[K]) => void) => {
      el.addEventListener(type, fn as EventListener);
      this.off.push(() => el.removeEventListener(type, fn as EventListener));
    };
    on(window, "keydown", (e) => {
      if (typingIn(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (KEYS[e.code] || DASH_KEYS.has(e.code)) {
        // Arrows and Space would scroll the page (or press a focused button) instead of playing.
        e.preventDefault();
        if (DASH_KEYS.has(e.code) && !e.repeat) this.dash();
        this.held.add(e.code);
      }
    });
    on(window, "keyup", (e) => this.held.delete(e.code));
    // Keys released while the window was not focused would otherwise stay held forever.
    on(window, "blur", () => {
      this.held.clear();
      this.pointer = null;
    });
    onEl(surface, "pointerdown", (e) => {
      if (e.button !== 0 && e.pointerType === "mouse") return;
      surface.setPointerCapture?.(e.pointerId);
      this.pointer = { id: e.pointerId, x: e.clientX, y: e.clientY };
      e.preventDefault();
    });
    onEl(surface, "pointermove", (e) => {
      if (this.pointer && this.pointer.id === e.pointerId) this.pointer = { id: e.pointerId, x: e.clientX, y: e.clientY };
    });
    const release = (e: PointerEvent) => {
      if (this.pointer?.id === e.pointerId) this.pointer = null;
    };
    onEl(surface, "pointerup", release);
    onEl(surface, "pointercancel", release);
    onEl(dashButton, "pointerdown", (e) => {
      e.preventDefault();
      this.dash();
    });
    // Keyboard users reaching the button with Tab get Enter/Space through "click".
    onEl(dashButton, "click", () => this.dash());
  }

  dash(): void {
    this.dashUntil = performance.now() + DASH_LATCH_MS;
  }

  /** The controls right now. */
  sample(now: number): Controls {
    let x = 0;
    let y = 0;
    for (const code of this.held) {
      const v = KEYS[code];
      if (v) {
        x += v[0];
        y += v[1];
      }
    }
    x = Math.max(-1, Math.min(1, x));
    y = Math.max(-1, Math.min(1, y));
    if (x === 0 && y === 0 && this.pointer) {
      const o = this.origin();
      if (o) {
        const dx = this.pointer.x - o.x;
        const dy = this.pointer.y - o.y;
        const len = Math.hypot(dx, dy);
        if (len > POINTER_DEAD_PX) {
          const k = Math.min(1, len / POINTER_FULL_PX) / len;
          x = dx * k;
          y = dy * k;
        }
      }
    }
    // A diagonal is normalised by the simulation too; doing it here keeps prediction and server identical.
    const len = Math.hypot(x, y);
    if (len > 1) {
      x /= len;
      y /= len;
    }
    const d = now < this.dashUntil || [...DASH_KEYS].some((k) => this.held.has(k));
    return { x, y, d };
  }

  destroy(): void {
    for (const f of this.off) f();
    this.off.length = 0;
    this.held.clear();
  }
}
