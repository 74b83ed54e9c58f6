package org.aoede.initiator;

/** The registers and data of an ATA reply: status, error, sector count, LBA, and bytes after the ATA header. */
public record AtaReply(int status, int error, int count, long lba, byte[] data) {
    public boolean failed() {
        return (status & org.aoede.protocol.Ata.STATUS_ERR) != 0;
    }
}
