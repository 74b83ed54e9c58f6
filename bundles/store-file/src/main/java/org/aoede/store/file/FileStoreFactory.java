package org.aoede.store.file;

import java.io.IOException;

import org.aoede.api.BlockStore;
import org.aoede.api.BlockStoreFactory;
import org.aoede.api.StoreSpec;
import org.osgi.service.component.annotations.Component;

/** Opens {@link FileStore}s over regular files, sparse images and block devices. */
@Component(service = BlockStoreFactory.class, property = "aoede.store=file")
public class FileStoreFactory implements BlockStoreFactory {
    @Override
    public BlockStore open(StoreSpec spec) throws IOException {
        return FileStore.open(spec);
    }

    @Override
    public void check(StoreSpec spec, StoreSpec replacing) throws IOException {
        FileStore.check(spec, replacing);
    }
}
