export class VolumeError extends Error {
    volume;
    constructor(volume, message) {
        super(`MountVolume.SetUp failed for volume "${volume}" : ${message}`);
        this.volume = volume;
        this.name = "VolumeError";
    }
}
//# sourceMappingURL=volume-plugin.js.map