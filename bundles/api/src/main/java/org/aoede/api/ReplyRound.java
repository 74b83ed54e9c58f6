package org.aoede.api;

/**
 * A round of completions on one thread. A store's completion thread that finds several requests
 * done at once (Linux AIO reaps them in clumps) completes them between {@link #begin()} and
 * {@link #end()}. A link asked to send on that thread meanwhile may hold the frame and send all it
 * held with one system call when the round ends, as the receive thread's replies leave at the end
 * of its batch: the initiator then wakes once per round instead of once per reply. A link may send
 * earlier (its batch is full); one that does not batch (pcap) sends at once.
 *
 * <p>One reusable round per thread, allocated once. Rounds do not nest: an {@code end()} ends the
 * thread's round, and what is sent after it leaves at once.
 */
public final class ReplyRound {
    /** A link holding frames until the end of the rounds that gave them. */
    public interface Holder {
        /** Sends what it holds. Called on the round's thread; must not throw. */
        void endOfRound();
    }

    private static final ThreadLocal<ReplyRound> CURRENT = ThreadLocal.withInitial(ReplyRound::new);

    private Holder[] holders = new Holder[4];
    private int count;
    private boolean open;

    private ReplyRound() {
    }

    /** Opens this thread's round; {@link #end()} it in a finally block. */
    public static ReplyRound begin() {
        ReplyRound r = CURRENT.get();
        r.open = true;
        return r;
    }

    /** This thread's open round, or null: then a link sends at once. */
    public static ReplyRound current() {
        ReplyRound r = CURRENT.get();
        return r.open ? r : null;
    }

    /** h is called at the end of this round (once, however often it is held here). */
    public void hold(Holder h) {
        for (int i = 0; i < count; i++) {
            if (holders[i] == h) {
                return;
            }
        }
        if (count == holders.length) {
            holders = java.util.Arrays.copyOf(holders, count * 2);
        }
        holders[count++] = h;
    }

    /** Closes the round: every holder sends what it held, even if one of them fails. */
    public void end() {
        open = false;
        int n = count;
        count = 0;
        RuntimeException failed = null;
        for (int i = 0; i < n; i++) {
            Holder h = holders[i];
            holders[i] = null;
            try {
                h.endOfRound();
            } catch (RuntimeException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
