import { type EngineExports, instantiateEngine } from "../../src/engine/wasm.js";

/** A bare engine instance with a bump allocator over its memory, for calling exports directly. */
export class Scratch {
  readonly wasm: EngineExports = instantiateEngine();
  private next = Math.ceil(this.wasm.heapBase() / 64) * 64;

  alloc(size: number): number {
    const at = this.next;
    this.next += Math.ceil(size / 64) * 64;
    const need = Math.ceil(this.next / 65536) - this.wasm.memory.buffer.byteLength / 65536;
    if (need > 0) this.wasm.memory.grow(need);
    return at;
  }

  put(bytes: Uint8Array): number {
    const at = this.alloc(Math.max(bytes.length, 1));
    this.bytes().set(bytes, at);
    return at;
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.wasm.memory.buffer);
  }

  read(at: number, length: number): Uint8Array {
    return this.bytes().slice(at, at + length);
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
