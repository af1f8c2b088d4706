export {};
//# sourceMappingURL=pod-io.js.map