import { describe, expect, it } from "vitest";
import {
  parseJsonKeepingRawMembers,
  parseJsonWithBigInts,
  stringifyJsonWithBigInts,
} from "../../src/clients/index.js";

const TARGET_78 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

describe("parseJsonWithBigInts", () => {
  it("keeps a 78-digit integer exact and leaves safe integers as numbers", () => {
    const value = parseJsonWithBigInts(
      `{"target": ${TARGET_78}, "n": 42, "neg": -9007199254740993}`,
    );
    expect(value).toEqual({ target: BigInt(TARGET_78), n: 42, neg: -9007199254740993n });
  });

  it("parses everything else exactly like JSON.parse", () => {
    const samples = [
      '{"a":[1,2.5,-0.25e3,true,false,null,"x\\n\\u00e9"],"b":{}}',
      "[]",
      '"\\ud83d\\ude00"',
      " 1e400 ",
      '{"__proto__": {"polluted": 1}}',
    ];
    for (const text of samples) {
      expect(parseJsonWithBigInts(text)).toEqual(JSON.parse(text));
    }
    const obj = parseJsonWithBigInts('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.hasOwn(obj, "__proto__")).toBe(true);
  });

  it("rejects what JSON.parse rejects", () => {
    for (const text of [
      "",
      "{",
      "[1,]",
      "{'a':1}",
      "01",
      "1.",
      "nul",
      '"a\tb"',
      "{} x",
      '{"a" 1}',
    ]) {
      expect(() => parseJsonWithBigInts(text), text).toThrow(SyntaxError);
    }
  });

  it("keeps the raw text of top-level members", () => {
    const text = `{"result": {"target": ${TARGET_78}, "x": 5.0}, "id": 3}`;
    const parsed = parseJsonKeepingRawMembers(text);
    expect(parsed.rawMembers.get("result")).toBe(`{"target": ${TARGET_78}, "x": 5.0}`);
    expect(parsed.rawMembers.get("id")).toBe("3");
  });
});

describe("stringifyJsonWithBigInts", () => {
  it("writes bigints as bare digits and round-trips", () => {
    const value = {
      target: BigInt(TARGET_78),
      list: [1, "a", null, { b: false }],
      skip: undefined,
    };
    const text = stringifyJsonWithBigInts(value);
    expect(text).toBe(`{"target":${TARGET_78},"list":[1,"a",null,{"b":false}]}`);
    expect(parseJsonWithBigInts(text)).toEqual({
      target: BigInt(TARGET_78),
      list: [1, "a", null, { b: false }],
    });
  });

  it("refuses non-finite numbers", () => {
    expect(() => stringifyJsonWithBigInts({ x: Number.NaN })).toThrow(TypeError);
  });
});
