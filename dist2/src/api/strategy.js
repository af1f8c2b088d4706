/** Erases the element type so strategies of different kinds fit in one table. */
export function strategy(s) {
    return s;
}
//# sourceMappingURL=strategy.js.map