package org.aoede.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.aoede.api.Extension;
import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Ata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order of the ATA hooks: request hooks in the listed order, reply hooks in reverse, and a reply
 * an extension makes itself (a tag tracker's replay) passes the reply hooks of the extensions listed
 * before it, like the export's own reply does (so a CRC listed before it is still appended).
 */
class ExtensionHooksTest {
    final List<String> log = new CopyOnWriteArrayList<>();

    /** Appends its mark to every reply it sees (as a CRC appends its trailer); never answers itself. */
    final class Marker implements Extension {
        final byte mark;

        Marker(int mark) {
            this.mark = (byte) mark;
        }

        @Override
        public int beforeAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply) {
            log.add("before " + mark);
            return PASS;
        }

        @Override
        public int afterAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply, int length) {
            log.add("after " + mark);
            reply.limit(Math.max(reply.limit(), length + 1));
            reply.put(length, mark);
            return length + 1;
        }
    }

    /** Answers every ATA request itself with a bare ATA header (as a replay from a cache would). */
    final class Answering implements Extension {
        @Override
        public int beforeAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply) {
            log.add("before answering");
            return ctx.respond(request, reply, Ata.HEADER);
        }

        @Override
        public int afterAta(ExtensionContext ctx, ByteBuffer request, ByteBuffer reply, int length) {
            log.add("after answering");
            return length;
        }
    }

    @Test
    void replyHooksRunInReverseOrder(@TempDir Path dir) throws Exception {
        try (Harness h = new Harness(dir, 1500, 64, false)) {
            h.export.extensions(new Extension[] {new Marker(1), new Marker(2)});
            ByteBuffer r = h.handle(Harness.read(1, 0, 1), false);
            assertNotNull(r);
            int data = Ata.DATA + Ata.SECTOR;
            assertEquals(data + 2, r.limit());
            assertEquals(2, r.get(data), "the last listed sees the export's reply first");
            assertEquals(1, r.get(data + 1));
            assertEquals(List.of("before 1", "before 2", "after 2", "after 1"), log);
        }
    }

    @Test
    void aReplyAnExtensionMakesPassesTheReplyHooksListedBeforeIt(@TempDir Path dir) throws Exception {
        try (Harness h = new Harness(dir, 1500, 64, false)) {
            h.export.extensions(new Extension[] {new Marker(1), new Answering(), new Marker(2)});
            ByteBuffer r = h.handle(Harness.read(1, 0, 1), false);
            assertNotNull(r);
            assertEquals(Ata.HEADER + 1, r.limit(), "the answer, then the mark of the extension listed before it");
            assertEquals(1, r.get(Ata.HEADER));
            assertEquals(List.of("before 1", "before answering", "after 1"), log,
                    "the ones listed after it never saw the request, the answering one not its own reply");
        }
    }
}
