import { describe, expect, it } from "vitest";
import { formatDuration, formatExpected, formatRate } from "../src/ui/format.js";
import { renderBar, startProgress, startSpinner } from "../src/ui/progress.js";
import { renderTable } from "../src/ui/table.js";

function target(animate: boolean, silent = false) {
  const written: string[] = [];
  return { written, target: { write: (t: string) => written.push(t), animate, silent } };
}

describe("ui", () => {
  it("draws a clamped progress bar", () => {
    expect(renderBar(0.5, 10)).toBe("[█████░░░░░]  50%");
    expect(renderBar(7, 4)).toBe("[████] 100%");
    expect(renderBar(Number.NaN, 4)).toBe("[░░░░]   0%");
  });

  it("animates only on a terminal and prints each new message once elsewhere", () => {
    const plain = target(false);
    const spinner = startSpinner(plain.target, "one");
    spinner.update("one");
    spinner.update("two");
    spinner.stop("done");
    expect(plain.written).toEqual(["… one\n", "… two\n", "done\n"]);
    const tty = target(true);
    const live = startSpinner(tty.target, "working");
    live.stop();
    expect(tty.written[0]).toMatch(/^\r\x1b\[2K. working$/);
    const json = target(false, true);
    startSpinner(json.target, "quiet").stop("quiet");
    startProgress(json.target).stop("quiet");
    expect(json.written).toEqual([]);
    const bar = target(false);
    const progress = startProgress(bar.target);
    progress.update(0.5);
    progress.stop();
    expect(bar.written).toEqual([]);
  });

  it("formats durations, long waits, rates and tables", () => {
    expect(formatDuration(0.25)).toBe("250 ms");
    expect(formatDuration(3725)).toBe("1h 02m");
    expect(formatExpected(3 * 86_400)).toBe("3.0 days");
    expect(formatExpected(2e12)).toMatch(/e\+\d+ years$/);
    expect(formatRate(null)).toBe("—");
    expect(formatRate(123.4)).toBe("123 attempts/s");
    expect(renderTable(["A", "B"], [["x", "yy"]])).toBe("A  B\nx  yy\n");
  });
});
