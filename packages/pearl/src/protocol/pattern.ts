import { ErrorCodes, MiningError } from "@openjarvis/mining-core";

/**
 * A set of indices { a·s0 + b·s1 + c·s2 : a < l0, b < l1, c < l2 } given by three (stride, length)
 * pairs, innermost first. Canonical form only: what `patternFromList` produces.
 */
export interface PeriodicPattern {
  readonly pairs: readonly (readonly [stride: number, length: number])[];
}

export const PATTERN_DIMS = 3;
export const MAX_PATTERN_PERIOD = 1 << 24;

function patternError(message: string, details: Record<string, unknown>): MiningError {
  return new MiningError(ErrorCodes.SHAPE_INVALID, message, {
    hint: "a pattern lists tile offsets: non-empty, strictly increasing, starting at 0, periodic (e.g. [0,8,64,72])",
    details,
  });
}

/** Number of indices in the pattern (the tile height h or width w). */
export function patternSize(p: PeriodicPattern): number {
  return p.pairs.reduce((size, [, length]) => size * length, 1);
}

/** The last pair's stride × length. */
export function patternPeriod(p: PeriodicPattern): number {
  const last = p.pairs[p.pairs.length - 1];
  return last === undefined ? 1 : last[0] * last[1];
}

/** The indices, earlier dimensions varying fastest (ascending for canonical patterns). */
export function patternToList(p: PeriodicPattern): number[] {
  let list = [0];
  for (const [stride, length] of p.pairs) {
    const next: number[] = [];
    for (let j = 0; j < length; j++) for (const base of list) next.push(base + j * stride);
    list = next;
  }
  return list;
}

/** Six bytes: per pair, (stride / previous period − 1, length − 1). */
export function patternToBytes(p: PeriodicPattern): Uint8Array {
  const out = new Uint8Array(2 * PATTERN_DIMS);
  let prev = 1;
  p.pairs.forEach(([stride, length], i) => {
    out[2 * i] = stride / prev - 1;
    out[2 * i + 1] = length - 1;
    prev = stride * length;
  });
  return out;
}

/** Parse six pattern bytes, enforcing the canonical-form rules of upstream `from_bytes`. */
export function patternFromBytes(bytes: Uint8Array): PeriodicPattern {
  if (bytes.length !== 2 * PATTERN_DIMS) {
    throw patternError(`a pattern is ${2 * PATTERN_DIMS} bytes, got ${bytes.length}`, {
      length: bytes.length,
    });
  }
  const pairs: (readonly [number, number])[] = [];
  let prev = 1;
  let sawLengthOne = false;
  for (let i = 0; i < PATTERN_DIMS; i++) {
    const factor = bytes[2 * i]! + 1;
    const length = bytes[2 * i + 1]! + 1;
    if (sawLengthOne && (factor !== 1 || length !== 1)) {
      throw patternError("pattern bytes are not canonical: a dimension follows a length-1 one", {
        bytes: Array.from(bytes),
      });
    }
    if (length === 1) {
      if (factor !== 1) {
        throw patternError("pattern bytes are not canonical: a length-1 dimension has a factor", {
          bytes: Array.from(bytes),
        });
      }
      sawLengthOne = true;
    } else if (factor <= 1 && prev !== 1) {
      throw patternError(
        "pattern bytes are not canonical: a dimension continues the previous one",
        {
          bytes: Array.from(bytes),
        },
      );
    }
    const stride = factor * prev;
    pairs.push([stride, length] as const);
    prev = stride * length;
    if (prev > MAX_PATTERN_PERIOD) {
      throw patternError(`pattern period exceeds 2^24`, { bytes: Array.from(bytes) });
    }
  }
  return { pairs };
}

/** Build the canonical pattern of an index list (upstream `from_list`). */
export function patternFromList(list: readonly number[]): PeriodicPattern {
  if (!Array.isArray(list) || list.length === 0) {
    throw patternError("pattern list is empty", { list });
  }
  for (const x of list) {
    if (!Number.isSafeInteger(x) || x < 0) {
      throw patternError(`pattern entry ${String(x)} is not a non-negative integer`, { list });
    }
  }
  if (list[0] !== 0) throw patternError("pattern list must start at 0", { list });
  for (let i = 1; i < list.length; i++) {
    if (list[i]! <= list[i - 1]!) {
      throw patternError("pattern list must be strictly increasing", { list });
    }
  }
  const outerFirst: [number, number][] = [];
  let current = list.slice();
  while (current.length > 1) {
    const len = current.length;
    let found = false;
    for (let per = 1; per < len; per++) {
      if (len % per !== 0) continue;
      const step = current[per]!;
      let repeats = true;
      for (let i = 0; i + per < len; i++) {
        if (current[i]! + step !== current[i + per]) {
          repeats = false;
          break;
        }
      }
      if (repeats) {
        outerFirst.push([step, len / per]);
        current = current.slice(0, per);
        found = true;
        break;
      }
    }
    if (!found) throw patternError("pattern list is not periodic", { list });
  }
  const pairs = outerFirst.reverse();
  if (pairs.length > PATTERN_DIMS) {
    throw patternError(`pattern needs more than ${PATTERN_DIMS} dimensions`, { list });
  }
  const last = pairs[pairs.length - 1];
  const period = last === undefined ? 1 : last[0] * last[1];
  while (pairs.length < PATTERN_DIMS) pairs.push([period, 1]);
  // Not every periodic list has a byte form (strides must be multiples of the inner period).
  let prev = 1;
  for (const [stride, length] of pairs) {
    if (stride % prev !== 0 || stride / prev > 256 || length > 256) {
      throw patternError("pattern list has no canonical byte form", { list });
    }
    prev = stride * length;
  }
  const pattern = patternFromBytes(patternToBytes({ pairs }));
  const roundTrip = patternToList(pattern);
  if (roundTrip.length !== list.length || roundTrip.some((x, i) => x !== list[i])) {
    throw patternError("pattern list does not round-trip through its byte form", { list });
  }
  return pattern;
}

/** Whether t is a tile origin: t + pattern never overlaps another origin's tile. */
export function patternOffsetIsValid(p: PeriodicPattern, t: number): boolean {
  if (!Number.isSafeInteger(t) || t < 0) return false;
  let rest = t;
  for (let i = p.pairs.length - 1; i >= 0; i--) {
    const [stride, length] = p.pairs[i]!;
    rest %= stride * length;
    if (rest >= stride) return false;
  }
  return true;
}

/** Valid tile origins t in [0, dim) whose tile fits (t + max(pattern) < dim), ascending. */
export function validOffsets(p: PeriodicPattern, dim: number): number[] {
  const list = patternToList(p);
  const span = list[list.length - 1]!;
  const out: number[] = [];
  for (let t = 0; t + span < dim; t++) if (patternOffsetIsValid(p, t)) out.push(t);
  return out;
}
