export {};
//# sourceMappingURL=proxier.js.map