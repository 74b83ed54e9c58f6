/**
 * Monitoring: this bundle owns the export and interface statistics as JMX MBeans and as a
 * Prometheus text endpoint. It counts nothing itself: every read takes a fresh snapshot of
 * {@link org.aoede.api.ExportAdmin#exports()} and {@link org.aoede.api.ExportAdmin#ports()}.
 *
 * <p><b>Registers:</b> no service of its DS components ({@link org.aoede.metrics.JmxExporter}
 * and {@link org.aoede.metrics.PrometheusEndpoint}, both immediate). {@code JmxExporter}
 * registers one {@code javax.management.DynamicMBean} service per export and interface by hand,
 * with {@code jmx.objectname} {@code org.aoede:type=Export,name=NAME} or
 * {@code org.aoede:type=Interface,name=IF} (the Aries JMX whiteboard of Karaf's
 * {@code management} feature puts them in the MBean server), following the exports every 2 s.
 * {@code PrometheusEndpoint} registers a servlet with the {@code HttpService}.
 *
 * <p><b>Uses:</b> {@link org.aoede.api.ExportAdmin} (both components);
 * {@code org.osgi.service.http.HttpService} (the endpoint).
 *
 * <p><b>Configuration:</b> PID {@code org.aoede.metrics}: {@code path}, the servlet alias (default
 * {@code /metrics}, so {@code http://127.0.0.1:8181/metrics}).
 *
 * <p><b>Start reading:</b> {@link org.aoede.metrics.PrometheusEndpoint} and
 * {@link org.aoede.metrics.PrometheusFormat}; {@link org.aoede.metrics.JmxExporter} and
 * {@link org.aoede.metrics.StatsMBean}.
 */
package org.aoede.metrics;
