/**
 * The AoE target: this bundle owns the exports (one per {@code etc/org.aoede.export-NAME.cfg}),
 * the interfaces they serve on, the answers to every AoE request, and the management of it all.
 *
 * <p><b>Registers:</b>
 * <ul>
 * <li>{@link org.aoede.server.ExportRegistry} as itself (immediate; only this bundle's components use it,
 * the package is not exported): the registry of exports and ports;</li>
 * <li>{@link org.aoede.server.AdminService} as {@link org.aoede.api.ExportAdmin}: validates,
 * persists (through Config Admin and FileInstall) and reports;</li>
 * <li>{@link org.aoede.server.ExportComponent}: no service; one instance per factory
 * configuration of PID {@code org.aoede.export} (configuration required).</li>
 * </ul>
 *
 * <p><b>Uses:</b> {@link org.aoede.api.BlockStoreFactory} (one, mandatory);
 * {@link org.aoede.api.Transport} and {@link org.aoede.api.Extension} (any number, dynamic, keyed
 * by {@code aoede.transport} and {@code aoede.extension}); {@code ConfigurationAdmin}.
 *
 * <p><b>Configuration:</b> factory PID {@code org.aoede.export}, keys in
 * {@link org.aoede.server.ExportSettings#KEYS} (plus {@code EXTENSION.key} settings of the
 * extensions); system properties {@code aoede.probe.ms}, {@code aoede.failover.tick.ms},
 * {@code aoede.io.threads}, {@code aoede.io.timeout-ms}. Live state in
 * {@code data/aoede/exports/NAME.state} ({@link org.aoede.server.StateFile}).
 *
 * <p><b>Start reading:</b> {@link org.aoede.server.ExportRegistry}, then {@link org.aoede.server.Port}
 * (one interface: dispatch and probe) and {@link org.aoede.server.Export} (one export's
 * requests), {@link org.aoede.server.AtaCommands}, {@link org.aoede.server.ExportControl},
 * {@link org.aoede.server.ExtensionChain} (and {@link org.aoede.server.ExtensionWiring}, which gives
 * an export its extensions), {@link org.aoede.server.WriteBatch},
 * {@link org.aoede.server.AsyncIo}. Exports on a shared store (an RBD image) and which of several
 * appliances serves them: {@link org.aoede.server.Failover}, over each export's
 * {@link org.aoede.server.Guard}.
 */
package org.aoede.server;
