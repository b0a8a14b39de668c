/** Where devnet log lines go. Every line starts with "devnet": nothing it accepts is worth anything. */
export type DevnetLogSink = (line: string) => void;

export type DevnetLog = (message: string) => void;

export function devnetLog(sink: DevnetLogSink | undefined): DevnetLog {
  if (!sink) return () => {};
  return (message) => sink(`${new Date().toISOString()} devnet ${message}`);
}
