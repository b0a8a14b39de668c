/**
 * Spinner and progress bar on stderr. They animate only on a TTY; elsewhere a spinner prints each
 * new message once as a plain line (useful in logs), and a progress bar stays silent.
 */
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR_LINE = "\r\x1b[2K";

export interface Spinner {
  update(message: string): void;
  /** Stops animating and prints a final line. */
  stop(finalLine?: string): void;
}

export interface ProgressBar {
  update(fraction: number, label?: string): void;
  stop(finalLine?: string): void;
}

export interface ProgressTarget {
  write(text: string): void;
  animate: boolean;
  /** Nothing at all is printed (machine output mode). */
  silent: boolean;
}

export function startSpinner(target: ProgressTarget, message: string): Spinner {
  if (target.silent) return { update() {}, stop() {} };
  let current = message;
  if (!target.animate) {
    target.write(`… ${current}\n`);
    return {
      update(next) {
        if (next === current) return;
        current = next;
        target.write(`… ${current}\n`);
      },
      stop(finalLine) {
        if (finalLine) target.write(`${finalLine}\n`);
      },
    };
  }
  let frame = 0;
  const draw = () => target.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${current}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update(next) {
      current = next;
      draw();
    },
    stop(finalLine) {
      clearInterval(timer);
      target.write(CLEAR_LINE);
      if (finalLine) target.write(`${finalLine}\n`);
    },
  };
}

export function renderBar(fraction: number, width = 24): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}%`;
}

export function startProgress(target: ProgressTarget): ProgressBar {
  if (target.silent || !target.animate) {
    return {
      update() {},
      stop(finalLine) {
        if (finalLine && !target.silent) target.write(`${finalLine}\n`);
      },
    };
  }
  return {
    update(fraction, label) {
      target.write(`${CLEAR_LINE}${renderBar(fraction)}${label ? ` ${label}` : ""}`);
    },
    stop(finalLine) {
      target.write(CLEAR_LINE);
      if (finalLine) target.write(`${finalLine}\n`);
    },
  };
}
