package org.aoede.api;

/**
 * A round of completions on one thread. A store's completion thread that finds several requests
 * done at once (Linux AIO reaps them in clumps) completes them between {@link #begin()} and
 * {@link #end()}. A link asked to send on that thread meanwhile may hold the frame and send all it
 * held with one system call when the round ends, as the receive thread's replies leave at the end
 * of its batch: the initiator then wakes once per round instead of once per reply.
 *
 * <p>One reusable round per thread; rounds do not nest. Nothing is allocated per round.
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

    /** Closes the round: every holder sends what it held. */
    public void end() {
        open = false;
        int n = count;
        count = 0;
        for (int i = 0; i < n; i++) {
            Holder h = holders[i];
            holders[i] = null;
            h.endOfRound();
        }
    }
}
