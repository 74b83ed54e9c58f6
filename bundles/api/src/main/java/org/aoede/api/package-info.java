/**
 * The services the AoEde bundles meet at: this bundle owns the contracts, no implementation and
 * no state. It is the only package exported besides {@code org.aoede.protocol} and
 * {@code org.aoede.netif}.
 *
 * <p><b>Registers:</b> nothing (no components). <b>Uses:</b> nothing.
 *
 * <p><b>Service contracts</b> (who offers them):
 * <ul>
 * <li>{@link org.aoede.api.Transport} with the property {@link org.aoede.api.Transport#TYPE}
 * ({@code aoede.transport=afpacket|pcap}): transport-afpacket, transport-pcap; it opens
 * {@link org.aoede.api.Link}s that deliver frames to a {@link org.aoede.api.FrameHandler}.</li>
 * <li>{@link org.aoede.api.BlockStoreFactory} ({@code aoede.store=file}): store-file; it opens
 * {@link org.aoede.api.BlockStore}s from a {@link org.aoede.api.StoreSpec}.</li>
 * <li>{@link org.aoede.api.Extension} with the property {@link org.aoede.api.Extension#NAME}
 * ({@code aoede.extension=negotiation|crc|cache|tagtrack|freeze}): the extension bundles; each
 * request's view is an {@link org.aoede.api.ExtensionContext}; store wrappers extend
 * {@link org.aoede.api.ForwardingBlockStore} and see their export as an
 * {@link org.aoede.api.ExportHandle}.</li>
 * <li>{@link org.aoede.api.ExportAdmin}: target (the one management service; factory PID
 * {@code org.aoede.export}), used by shell, webconsole and metrics.</li>
 * <li>{@link org.aoede.api.Freezer}: freeze, used by shell and webconsole.</li>
 * </ul>
 *
 * <p><b>Start reading:</b> {@link org.aoede.api.Extension}, {@link org.aoede.api.Transport},
 * {@link org.aoede.api.ExportAdmin}; its snapshots {@link org.aoede.api.ExportInfo},
 * {@link org.aoede.api.PortInfo}, {@link org.aoede.api.ExportStats} and their JSON shape in
 * {@link org.aoede.api.Json}; latency quantiles as text in {@link org.aoede.api.LatencyText}.
 *
 * <p>One piece of per-thread state: {@link org.aoede.api.ReplyRound}, by which a store's completion
 * thread tells the links that the replies it sends now may leave together.
 */
package org.aoede.api;
