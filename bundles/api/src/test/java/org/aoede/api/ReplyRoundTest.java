package org.aoede.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ReplyRoundTest {
    final List<String> ended = new ArrayList<>();

    ReplyRound.Holder holder(String name) {
        return () -> ended.add(name);
    }

    @Test
    void eachHolderSendsOnceWhenItsRoundEnds() {
        assertNull(ReplyRound.current(), "no round open: links send at once");
        ReplyRound.Holder a = holder("a");
        ReplyRound.Holder b = holder("b");
        ReplyRound r = ReplyRound.begin();
        assertNotNull(ReplyRound.current());
        for (int i = 0; i < 5; i++) {
            r.hold(a);
            r.hold(b);
        }
        for (int i = 0; i < 6; i++) {
            r.hold(holder("h" + i));                // past its first array
        }
        assertEquals(List.of(), ended, "sent before the round ended");
        r.end();
        assertEquals(List.of("a", "b", "h0", "h1", "h2", "h3", "h4", "h5"), ended);
        assertNull(ReplyRound.current());

        ended.clear();
        ReplyRound again = ReplyRound.begin();
        again.end();
        assertEquals(List.of(), ended, "a holder of the last round called again");
    }

    @Test
    void roundsArePerThread() throws Exception {
        ReplyRound r = ReplyRound.begin();
        try {
            ReplyRound[] seen = new ReplyRound[1];
            Thread t = new Thread(() -> seen[0] = ReplyRound.current());
            t.start();
            t.join();
            assertNull(seen[0], "another thread's round");
        } finally {
            r.end();
        }
    }

    @Test
    void aHolderThatFailsDoesNotKeepTheOthersFrames() {
        ReplyRound r = ReplyRound.begin();
        r.hold(holder("a"));
        r.hold(() -> {
            throw new IllegalStateException("broken link");
        });
        r.hold(holder("c"));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, r::end);
        assertEquals("broken link", e.getMessage());
        assertEquals(List.of("a", "c"), ended);
        assertNull(ReplyRound.current());
    }
}
