import pc from "picocolors";

export interface Colors {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain = (text: string) => text;

/** Colour only for a person at a terminal who has not opted out (`--no-color`, `NO_COLOR`). */
export function createColors(options: {
  isTTY: boolean;
  noColor: boolean;
  env: Readonly<Record<string, string | undefined>>;
}): Colors {
  const enabled =
    options.isTTY && !options.noColor && !options.env.NO_COLOR && options.env.TERM !== "dumb";
  if (!enabled) {
    return {
      enabled,
      bold: plain,
      dim: plain,
      red: plain,
      green: plain,
      yellow: plain,
      cyan: plain,
    };
  }
  const c = pc.createColors(true);
  return {
    enabled,
    bold: c.bold,
    dim: c.dim,
    red: c.red,
    green: c.green,
    yellow: c.yellow,
    cyan: c.cyan,
  };
}
