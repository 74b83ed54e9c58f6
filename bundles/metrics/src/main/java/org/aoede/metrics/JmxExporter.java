package org.aoede.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.management.DynamicMBean;

import org.aoede.api.ExportAdmin;
import org.aoede.api.ExportInfo;
import org.aoede.api.PortInfo;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-export and per-interface MBeans, {@code org.aoede:type=Export,name=NAME} and
 * {@code org.aoede:type=Interface,name=IF}. They are OSGi services with a
 * {@code jmx.objectname} property: the Aries JMX whiteboard of Karaf's {@code management}
 * feature registers them with Karaf's MBean server (reachable over RMI with the appliance's
 * credentials) and removes them when the service goes. Exports and interfaces come and go at
 * run time, so the set of services follows {@link ExportAdmin} every {@value #POLL_SECONDS} s;
 * attribute values are read fresh on every JMX request.
 */
@Component(immediate = true)
public class JmxExporter {
    static final long POLL_SECONDS = 2;
    static final String DOMAIN = "org.aoede";
    private static final Logger LOG = LoggerFactory.getLogger(JmxExporter.class);
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.@%+-]+");

    @Reference
    private ExportAdmin admin;

    private BundleContext context;
    private ScheduledExecutorService poller;
    private final Map<String, ServiceRegistration<DynamicMBean>> exports = new HashMap<>();
    private final Map<String, ServiceRegistration<DynamicMBean>> ports = new HashMap<>();

    @Activate
    void activate(BundleContext ctx) {
        this.context = ctx;
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aoede-metrics-jmx");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::sync, 0, POLL_SECONDS, TimeUnit.SECONDS);
    }

    @Deactivate
    synchronized void deactivate() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unregisterAll(exports);
        unregisterAll(ports);
    }

    static String objectName(String type, String name) {
        return DOMAIN + ":type=" + type + ",name=" + (PLAIN.matcher(name).matches() ? name : javax.management.ObjectName.quote(name));
    }

    synchronized void sync() {
        if (poller.isShutdown()) {
            return;
        }
        try {
            Set<String> exportNames = new HashSet<>();
            for (ExportInfo e : admin.exports()) {
                exportNames.add(e.name());
            }
            Set<String> portNames = new HashSet<>();
            for (PortInfo p : admin.ports()) {
                portNames.add(p.name());
            }
            follow(exports, exportNames, "Export", this::exportMBean);
            follow(ports, portNames, "Interface", this::portMBean);
        } catch (RuntimeException e) {
            LOG.warn("metrics: cannot update the JMX MBeans: {}", e.toString());
        }
    }

    private void follow(Map<String, ServiceRegistration<DynamicMBean>> regs, Set<String> names, String type,
                        java.util.function.Function<String, DynamicMBean> factory) {
        regs.entrySet().removeIf(e -> {
            if (!names.contains(e.getKey())) {
                unregister(e.getValue());
                return true;
            }
            return false;
        });
        for (String name : names) {
            if (!regs.containsKey(name)) {
                Hashtable<String, Object> props = new Hashtable<>();
                props.put("jmx.objectname", objectName(type, name));
                regs.put(name, context.registerService(DynamicMBean.class, factory.apply(name), props));
            }
        }
    }

    private static void unregister(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException e) {
            // already unregistered (bundle stopping)
        }
    }

    private static void unregisterAll(Map<String, ServiceRegistration<DynamicMBean>> regs) {
        regs.values().forEach(JmxExporter::unregister);
        regs.clear();
    }

    private DynamicMBean exportMBean(String name) {
        return new StatsMBean<ExportInfo>("org.aoede.metrics.Export", "export " + name,
                "AoE export " + name + ": state and counters since it started",
                () -> admin.export(name).orElse(null), exportAttrs());
    }

    private DynamicMBean portMBean(String name) {
        return new StatsMBean<PortInfo>("org.aoede.metrics.Interface", "interface " + name,
                "Interface " + name + " of the appliance: frame counters",
                () -> admin.ports().stream().filter(p -> name.equals(p.name())).findFirst().orElse(null), portAttrs());
    }

    static List<StatsMBean.Attr<ExportInfo>> exportAttrs() {
        String l = "long";
        String s = String.class.getName();
        String tab = javax.management.openmbean.TabularData.class.getName();
        return List.of(
                new StatsMBean.Attr<>("Name", s, "export name (etc/org.aoede.export-NAME.cfg)", ExportInfo::name),
                new StatsMBean.Attr<>("Address", s, "eSHELF.SLOT", ExportInfo::address),
                new StatsMBean.Attr<>("State", s, "serving, probing, waiting, disabled, refused, invalid, stopped, new",
                        e -> e.state().label()),
                new StatsMBean.Attr<>("Up", "boolean", "true exactly when the export answers", e -> e.state().answers()),
                new StatsMBean.Attr<>("Detail", s, "why (waiting for what, refused why), a refused edit", ExportInfo::detail),
                new StatsMBean.Attr<>("RefusedEdit", s, "a refused edit the .cfg still holds (will not start after a restart until fixed); empty if none",
                        ExportInfo::refusedEdit),
                new StatsMBean.Attr<>("Sectors", l, "size in 512-byte sectors, -1 while closed", ExportInfo::sectors),
                new StatsMBean.Attr<>("Clients", "int", "initiator MACs seen", e -> e.clients() == null ? 0 : e.clients().size()),
                new StatsMBean.Attr<>("Requests", l, "requests addressed to the export", e -> e.stats().requests()),
                new StatsMBean.Attr<>("Reads", l, "ATA read commands", e -> e.stats().reads()),
                new StatsMBean.Attr<>("Writes", l, "ATA write commands", e -> e.stats().writes()),
                new StatsMBean.Attr<>("BytesRead", l, "sector bytes sent", e -> e.stats().bytesRead()),
                new StatsMBean.Attr<>("BytesWritten", l, "sector bytes written", e -> e.stats().bytesWritten()),
                new StatsMBean.Attr<>("Duplicates", l, "retransmitted requests seen", e -> e.stats().duplicates()),
                new StatsMBean.Attr<>("Errors", l, "errors of all kinds", e -> sum(e.stats().errors())),
                new StatsMBean.Attr<>("Drops", l, "drops of all kinds", e -> sum(e.stats().drops())),
                new StatsMBean.Attr<>("ErrorsByKind", tab, "errors by kind", e -> StatsMBean.byKind(e.stats().errors())),
                new StatsMBean.Attr<>("DropsByKind", tab, "drops by kind", e -> StatsMBean.byKind(e.stats().drops())),
                new StatsMBean.Attr<>("InfoByKind", tab, "informational counters and gauges (store, cache, freeze, extension events): not errors",
                        e -> StatsMBean.byKind(e.stats().info())),
                new StatsMBean.Attr<>("LatencyCount", l, "requests in the latency histogram", e -> e.stats().latency().total()),
                new StatsMBean.Attr<>("LatencyP50Micros", l, "upper bound of the p50 bucket in µs (-1 empty, Long.MAX_VALUE past the last bound)",
                        e -> e.stats().latency().quantileMicros(0.50)),
                new StatsMBean.Attr<>("LatencyP90Micros", l, "upper bound of the p90 bucket in µs", e -> e.stats().latency().quantileMicros(0.90)),
                new StatsMBean.Attr<>("LatencyP99Micros", l, "upper bound of the p99 bucket in µs", e -> e.stats().latency().quantileMicros(0.99)),
                new StatsMBean.Attr<>("LatencyBoundsMicros", long[].class.getName(), "bucket upper bounds in µs (the last bucket is unbounded)",
                        e -> e.stats().latency().boundsMicros().clone()),
                new StatsMBean.Attr<>("LatencyCounts", long[].class.getName(), "requests per bucket (one more than bounds)",
                        e -> e.stats().latency().counts().clone()));
    }

    static List<StatsMBean.Attr<PortInfo>> portAttrs() {
        String l = "long";
        String s = String.class.getName();
        return List.of(
                new StatsMBean.Attr<>("Name", s, "interface name", PortInfo::name),
                new StatsMBean.Attr<>("Transport", s, "transport type", PortInfo::transport),
                new StatsMBean.Attr<>("Up", "boolean", "open and usable", PortInfo::up),
                new StatsMBean.Attr<>("Mac", s, "MAC address", PortInfo::mac),
                new StatsMBean.Attr<>("Mtu", "int", "MTU", PortInfo::mtu),
                new StatsMBean.Attr<>("MaxSectors", "int", "sectors per frame advertised", PortInfo::maxSectors),
                new StatsMBean.Attr<>("Exports", String[].class.getName(), "exports answering here",
                        p -> p.exports() == null ? new String[0] : p.exports().toArray(new String[0])),
                new StatsMBean.Attr<>("FramesIn", l, "AoE frames received", PortInfo::framesIn),
                new StatsMBean.Attr<>("FramesOut", l, "frames sent", PortInfo::framesOut),
                new StatsMBean.Attr<>("SendFailures", l, "frames the transport could not send", PortInfo::sendFailures),
                new StatsMBean.Attr<>("Ignored", l, "frames no export here was addressed by", PortInfo::ignored));
    }

    private static long sum(Map<String, Long> m) {
        long t = 0;
        if (m != null) {
            for (long v : m.values()) {
                t += v;
            }
        }
        return t;
    }

}
