// Whether a binary can run in a FROM scratch image: an ELF executable without a program
// interpreter (the dynamic loader) needs no library from the host.
import * as fs from "fs";

const PT_INTERP = 3;

/** True for a statically linked 64-bit little-endian ELF file. */
export function isStaticElf(file: string): boolean {
    const fd = fs.openSync(file, "r");
    try {
        const header = Buffer.alloc(64);
        fs.readSync(fd, header, 0, 64, 0);
        if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) {
            return false;
        }
        const phoff = Number(header.readBigUInt64LE(0x20));
        const phentsize = header.readUInt16LE(0x36);
        const phnum = header.readUInt16LE(0x38);
        const table = Buffer.alloc(phentsize * phnum);
        fs.readSync(fd, table, 0, table.length, phoff);
        for (let i = 0; i < phnum; i++) {
            if (table.readUInt32LE(i * phentsize) === PT_INTERP) {
                return false;
            }
        }
        return true;
    } finally {
        fs.closeSync(fd);
    }
}
