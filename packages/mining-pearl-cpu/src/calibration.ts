/**
 * A cached hashrate measurement, so `detect` can estimate without computing anything. The
 * supervisor refreshes it from a real mining session; `bench` may write it too.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Calibration {
  attemptsPerSecond: number;
  threads: number;
  shape: { m: number; n: number; k: number; rank: number };
  measuredAt: string;
  source: "mining" | "bench";
}

export function calibrationPath(cacheDir: string): string {
  return path.join(cacheDir, "cpu-pearl", "calibration.json");
}

/** Attempts per second from the cache, or null. A synchronous read of one small file. */
export function readCalibration(cacheDir: string): number | null {
  try {
    const value = JSON.parse(fs.readFileSync(calibrationPath(cacheDir), "utf8")) as Calibration;
    const rate = value.attemptsPerSecond;
    return typeof rate === "number" && Number.isFinite(rate) && rate > 0 ? rate : null;
  } catch {
    return null;
  }
}

export function writeCalibration(cacheDir: string, calibration: Calibration): void {
  const file = calibrationPath(cacheDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(calibration, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}
