import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalQuantity, compareQuantity, ERR_FORMAT_WRONG, ERR_SUFFIX, formatBytes, formatCPU, parseQuantity, QuantityError, toBytes, toMilli, tryParseQuantity, } from "../../../src/api/quantity.js";
describe("parseQuantity", () => {
    it("parses every suffix family exactly", () => {
        const cases = [
            ["500m", 500000000n, "DecimalSI"],
            ["0.5", 500000000n, "DecimalSI"],
            ["64Mi", 64n * 1024n * 1024n * 1000000000n, "BinarySI"],
            ["1Gi", 1024n ** 3n * 1000000000n, "BinarySI"],
            ["1e3", 1000n * 1000000000n, "DecimalExponent"],
            ["100k", 100000n * 1000000000n, "DecimalSI"],
            ["1.5G", 1500000000n * 1000000000n, "DecimalSI"],
            ["2E", 2n * 10n ** 18n * 1000000000n, "DecimalSI"],
            ["12n", 12n, "DecimalSI"],
            ["5u", 5000n, "DecimalSI"],
            ["-1", -1000000000n, "DecimalSI"],
            ["+3", 3000000000n, "DecimalSI"],
            ["1E3", 1000n * 1000000000n, "DecimalExponent"],
            ["1e-3", 1000000n, "DecimalExponent"],
        ];
        for (const [s, nanos, format] of cases)
            assert.deepEqual(parseQuantity(s), { nanos, format }, s);
    });
    it("accepts JSON numbers", () => {
        assert.equal(parseQuantity(2).nanos, 2000000000n);
        assert.equal(parseQuantity(0.25).nanos, 250000000n);
    });
    it("rounds sub-nano precision up, away from zero", () => {
        assert.equal(parseQuantity("0.1n").nanos, 1n);
        assert.equal(parseQuantity("-0.1n").nanos, -1n);
        assert.equal(parseQuantity("1.0000000001").nanos, 1000000001n);
    });
    it("rejects garbage with the API server's messages", () => {
        assert.equal(ERR_FORMAT_WRONG, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        for (const s of ["5 cores", "", "1.5.5", "abc", "1 Gi", "5KB"]) {
            assert.throws(() => parseQuantity(s), (e) => e instanceof QuantityError && e.message === ERR_FORMAT_WRONG, s);
        }
        for (const s of ["1Gi2", "1e", "2mi", "3KiKi"]) {
            assert.throws(() => parseQuantity(s), (e) => e instanceof QuantityError && e.message === ERR_SUFFIX, s);
        }
        assert.equal(tryParseQuantity("5 cores"), ERR_FORMAT_WRONG);
        assert.equal(tryParseQuantity("1e999999999"), "unable to parse numeric part of quantity");
        assert.equal(tryParseQuantity("."), "unable to parse numeric part of quantity");
    });
    it("compares values regardless of notation", () => {
        assert.equal(compareQuantity(parseQuantity("1"), parseQuantity("1000m")), 0);
        assert.equal(compareQuantity(parseQuantity("1Ki"), parseQuantity("1k")), 1);
        assert.equal(compareQuantity(parseQuantity("500m"), parseQuantity("0.6")), -1);
    });
});
describe("toMilli and toBytes", () => {
    it("round up like MilliValue and Value", () => {
        assert.equal(toMilli(parseQuantity("250m")), 250);
        assert.equal(toMilli(parseQuantity("2")), 2000);
        assert.equal(toMilli(parseQuantity("0.5")), 500);
        assert.equal(toMilli(parseQuantity("1n")), 1);
        assert.equal(toMilli(parseQuantity("1500000n")), 2);
        assert.equal(toBytes(parseQuantity("64Mi")), 67108864);
        assert.equal(toBytes(parseQuantity("1k")), 1000);
        assert.equal(toBytes(parseQuantity("0.5")), 1);
        assert.equal(toBytes(parseQuantity("1.5Gi")), 1610612736);
    });
});
describe("canonical forms", () => {
    it("prints what the API server stores", () => {
        const cases = [
            ["1000m", "1"],
            ["0.5", "500m"],
            ["500m", "500m"],
            ["1.5Gi", "1536Mi"],
            ["2048Ki", "2Mi"],
            ["1024", "1024"],
            ["1Ki", "1Ki"],
            ["0.5Ki", "512"],
            ["1.5G", "1500M"],
            ["1e3", "1e3"],
            ["1e4", "10e3"],
            ["12e6", "12e6"],
            ["100k", "100k"],
            ["12n", "12n"],
            ["5u", "5u"],
            ["0", "0"],
            ["0Mi", "0"],
            ["-1Gi", "-1Gi"],
            ["1.0", "1"],
            ["1500000n", "1500u"],
        ];
        for (const [input, out] of cases)
            assert.equal(canonicalQuantity(input), out, input);
    });
    it("round trips: parse(format(q)) == q", () => {
        for (const s of ["250m", "64Mi", "10240Ki", "1.5G", "3", "7e9", "12n", "999Ei", "1536Mi"]) {
            const q = parseQuantity(s);
            assert.equal(compareQuantity(parseQuantity(canonicalQuantity(s)), q), 0, s);
            assert.equal(canonicalQuantity(canonicalQuantity(s)), canonicalQuantity(s), s);
        }
    });
    it("formats CPU and memory for status and metrics", () => {
        assert.equal(formatCPU(250), "250m");
        assert.equal(formatCPU(2000), "2");
        assert.equal(formatCPU(1500), "1500m");
        assert.equal(formatCPU(0), "0");
        assert.equal(formatBytes(64 * 1024 * 1024), "64Mi");
        assert.equal(formatBytes(10240 * 1024), "10Mi");
        assert.equal(formatBytes(10241 * 1024), "10241Ki");
        assert.equal(formatBytes(1000), "1k"); // below 1024 a binary quantity prints in decimal
        assert.equal(formatBytes(1023), "1023");
        assert.equal(formatBytes(3 * 1024 ** 3), "3Gi");
    });
});
//# sourceMappingURL=quantity.test.js.map