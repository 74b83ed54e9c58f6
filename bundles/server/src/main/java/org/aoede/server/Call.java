package org.aoede.server;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

import org.aoede.api.ExtensionContext;
import org.aoede.protocol.Aoe;

/**
 * The {@link ExtensionContext} of the request being handled: one per port, reused for every
 * request of its receive thread (no allocation per frame); and one per request slot of the I/O
 * threads ({@link AsyncIo}), whose port changes with the request.
 */
final class Call implements ExtensionContext {
    private Port port;
    Export export;
    Initiator initiator;

    Call(Port port) {
        this.port = port;
    }

    Call set(Port p, Export e, Initiator i) {
        port = p;
        return set(e, i);
    }

    Call set(Export e, Initiator i) {
        export = e;
        initiator = i;
        return this;
    }

    @Override
    public String exportName() {
        return export.name();
    }

    @Override
    public long initiator() {
        return initiator.mac;
    }

    @Override
    public Set<String> negotiated() {
        return initiator.negotiated();
    }

    @Override
    public boolean supported(String name) {
        return export.provided().contains(name);
    }

    @Override
    public void negotiate(String name) {
        initiator.negotiate(name);
    }

    @Override
    public void resetNegotiation() {
        initiator.reset();
    }

    @Override
    public void count(String what) {
        export.stats.extension(what);
    }

    @Override
    public void error(String what) {
        export.stats.extensionError(what);
    }

    @Override
    public int bufferCount() {
        return export.bufferCount();
    }

    @Override
    public ConcurrentMap<String, Object> attributes() {
        return initiator.attributes;
    }

    @Override
    public int ata(ByteBuffer request, ByteBuffer reply) {
        return export.chain.ataDirect(port, request, reply);
    }

    @Override
    public boolean send(ByteBuffer frame) {
        org.aoede.api.Link l = port.link();
        return l != null && l.send(frame);
    }

    @Override
    public int respond(ByteBuffer request, ByteBuffer reply, int length) {
        reply.put(0, request, 0, length);
        Aoe.toResponse(reply, port.mac());
        Aoe.setShelf(reply, export.settings.shelf());
        Aoe.setSlot(reply, export.settings.slot());
        return length;
    }
}
