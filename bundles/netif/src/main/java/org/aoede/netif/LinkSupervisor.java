package org.aoede.netif;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.aoede.api.FrameHandler;
import org.aoede.api.Link;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one link's interface open, for both transports: looks the interface up by name (an
 * interface without any address counts), opens it, lets it receive, watches its MAC, MTU and index
 * every {@link #RETRY_MS} ms, and reopens it after a loss (gone, down, deleted and made again). It
 * tells the frame handler {@code linkUp} (also again after an MTU or MAC change),
 * {@code linkWaiting} (once per new reason) and {@code linkDown}. The transport supplies only what
 * differs: how to open, receive, wake and release ({@link Socket}).
 */
public final class LinkSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(LinkSupervisor.class);
    public static final long RETRY_MS = 2000;

    /** The transport's part, all called on the supervisor's receive thread except {@link #wake()}. */
    public interface Socket {
        /** Opens the interface {@code ni} (what the kernel says of it now); throws with a reason if it cannot. */
        void open(NetInterface ni) throws Exception;

        /**
         * Receives until {@link LinkSupervisor#receiving()} turns false or {@link #wake()} was
         * called; returning or an InterruptedException both mean "stopped or lost".
         */
        void receive() throws Exception;

        /** Makes {@link #receive()} return soon; from any thread. */
        void wake();

        /** Releases what {@link #open} opened; never throws. */
        void release();
    }

    private final Link link;
    private final FrameHandler handler;
    private final Socket socket;
    private final Thread thread;
    private volatile Thread watch;
    private volatile boolean closed;
    private volatile boolean open;
    /** Set by the watch: the interface vanished or changed its index; reopen. */
    private volatile boolean lost;
    private volatile long mac;
    private volatile int mtu;
    private volatile int index;
    /** Why the link is not up: set while it waits for its interface. */
    private volatile String waiting = "not opened yet";

    /** @param threadName the receive thread's name (the watch thread's is it with "-watch") */
    public LinkSupervisor(Link link, FrameHandler handler, Socket socket, String threadName) {
        this.link = link;
        this.handler = handler;
        this.socket = socket;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** True while the interface is open and not lost. */
    public boolean isUp() {
        return open && !lost;
    }

    /** Why the link is not up; empty while up. */
    public String problem() {
        return isUp() ? "" : waiting;
    }

    /** The receive loop goes on while this is true. */
    public boolean receiving() {
        return !closed && !lost;
    }

    public boolean closed() {
        return closed;
    }

    public long mac() {
        return mac;
    }

    public int mtu() {
        return mtu;
    }

    public int index() {
        return index;
    }

    /** True on the supervisor's receive thread. */
    public boolean onReceiveThread() {
        return Thread.currentThread() == thread;
    }

    /** Stops receiving and watching, and waits up to 3 s for the receive thread to end. */
    public void close() {
        closed = true;
        socket.wake();
        Thread w = watch;
        if (w != null) {
            w.interrupt();
        }
        thread.interrupt();
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        String lastProblem = null;
        while (!closed) {
            boolean opened = false;
            try {
                if (!readInterface()) {
                    throw new IllegalStateException(waiting);
                }
                socket.open(new NetInterface(link.name(), index, mac, mtu, true, true));
                opened = true;
                lost = false;
                open = true;
                if (lastProblem != null) {
                    LOG.info("interface {}: up again", link.name());
                }
                lastProblem = null;
                handler.linkUp(link);
                Thread w = new Thread(this::watch, thread.getName() + "-watch");
                w.setDaemon(true);
                watch = w;
                w.start();
                try {
                    socket.receive();
                } catch (InterruptedException e) {
                    // woken: closed, or lost
                } finally {
                    w.interrupt();
                }
                if (!closed) {
                    lastProblem = "interface went away";
                    waiting = lastProblem;
                    LOG.warn("interface {}: {}; retrying every {} ms", link.name(), lastProblem, RETRY_MS);
                }
            } catch (Throwable e) {
                String problem = e.getMessage() == null ? e.toString() : e.getMessage();
                waiting = problem;
                if (!problem.equals(lastProblem)) {
                    LOG.warn("interface {}: {}; retrying every {} ms", link.name(), problem, RETRY_MS);
                    lastProblem = problem;
                    handler.linkWaiting(link, problem);
                }
            } finally {
                open = false;
                socket.release();
                if (opened && !closed) {
                    handler.linkDown(link, lastProblem == null ? "closed" : lastProblem);
                }
            }
            if (!closed) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MS));
            }
        }
    }

    /** Reads MAC, MTU and index by name; false, with the reason in {@link #waiting}, if unusable. */
    private boolean readInterface() {
        Optional<NetInterface> found = NetInterface.byName(link.name());
        if (found.isEmpty() || !found.get().usable()) {
            waiting = found.isEmpty() ? "no such interface" : found.get().problem();
            return false;
        }
        NetInterface ni = found.get();
        mac = ni.mac();
        mtu = ni.mtu();
        index = ni.index();
        return true;
    }

    /** Notices MTU and MAC changes (the sector count follows the MTU) and a vanished interface. */
    private void watch() {
        while (!Thread.currentThread().isInterrupted() && !closed) {
            try {
                Thread.sleep(RETRY_MS);
                long oldMac = mac;
                int oldMtu = mtu;
                int oldIndex = index;
                if (!readInterface() || index != oldIndex) {    // gone, or deleted and made again
                    lost = true;
                    socket.wake();
                    return;
                }
                if (oldMac != mac || oldMtu != mtu) {
                    LOG.info("interface {}: MTU {} -> {}", link.name(), oldMtu, mtu);
                    handler.linkUp(link);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.debug("interface {}: watch failed", link.name(), e);
            }
        }
    }
}
