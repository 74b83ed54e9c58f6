package org.aoede.store.rbd;

import java.io.IOException;

import org.aoede.api.BlockStore;
import org.aoede.api.BlockStoreFactory;
import org.aoede.api.StoreSpec;
import org.osgi.service.component.annotations.Component;

/** Opens {@link RbdStore}s for an export whose {@code file} is {@code rbd:POOL/IMAGE[...]}. */
@Component(service = BlockStoreFactory.class, property = "aoede.store=rbd")
public class RbdStoreFactory implements BlockStoreFactory {
    @Override
    public BlockStore open(StoreSpec spec) throws IOException {
        return RbdStore.open(spec);
    }

    /**
     * The spec, its files and its window, and then the cluster itself: connects, opens the image
     * and closes it again, so a missing image, a wrong key or an unreachable cluster (after the
     * connect timeout, 5 s) refuses the export before its configuration is written.
     */
    @Override
    public void check(StoreSpec spec, StoreSpec replacing) throws IOException {
        RbdStore.probe(spec, replacing);
    }
}
