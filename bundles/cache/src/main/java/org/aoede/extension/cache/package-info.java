/**
 * The cache extension: this bundle owns the block cache that wraps an export's store (LRU of
 * blocks, sequential read-ahead, write-through, write coalescing of one receive batch), within a
 * global byte budget shared by all exports; and a simulated slow device to measure it against.
 *
 * <p><b>Registers:</b> {@link org.aoede.extension.cache.CacheExtension} as
 * {@link org.aoede.api.Extension}, property {@code aoede.extension=cache} (used by an export whose
 * {@code .cfg} names it in {@code extensions}). <b>Uses:</b> no services.
 *
 * <p><b>Configuration:</b> PID {@code org.aoede.cache} (optional): {@code max-total}, the global
 * cap (default 1G). Per export, in its {@code .cfg}: {@code cache.size} (default 64M),
 * {@code cache.readahead} (default 64K), {@code cache.coalesce} (default true) and
 * {@code cache.test-latency-us} (a simulated slow device, see
 * {@link org.aoede.extension.cache.LatencyStore}).
 *
 * <p><b>Start reading:</b> {@link org.aoede.extension.cache.CacheExtension},
 * {@link org.aoede.extension.cache.CachingStore}; then {@link org.aoede.extension.cache.Budget}
 * and {@link org.aoede.extension.cache.LatencyStore}.
 */
package org.aoede.extension.cache;
