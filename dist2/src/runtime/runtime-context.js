export {};
//# sourceMappingURL=runtime-context.js.map