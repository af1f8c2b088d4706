export {};
//# sourceMappingURL=provisioner.js.map