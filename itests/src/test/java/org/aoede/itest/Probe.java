package org.aoede.itest;

import java.lang.reflect.Array;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A small client run inside the appliance's namespace (its loopback is the appliance's):
 * {@code http URL} prints the status line and the body; {@code jmx URL USER PASSWORD PATTERN}
 * prints every MBean matching the pattern with its attributes, one {@code NAME Attr=value} a line.
 */
public final class Probe {
    private Probe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "http": {
                HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                        .send(HttpRequest.newBuilder(URI.create(args[1])).timeout(Duration.ofSeconds(20)).build(),
                                HttpResponse.BodyHandlers.ofString());
                System.out.println("status " + r.statusCode() + " " + r.headers().firstValue("content-type").orElse(""));
                System.out.print(r.body());
                break;
            }
            case "jmx": {
                JMXServiceURL url = new JMXServiceURL(args[1]);
                try (JMXConnector c = JMXConnectorFactory.connect(url,
                        Map.of(JMXConnector.CREDENTIALS, new String[] {args[2], args[3]}))) {
                    MBeanServerConnection s = c.getMBeanServerConnection();
                    for (ObjectName n : new TreeSet<>(s.queryNames(new ObjectName(args[4]), null))) {
                        System.out.println("mbean " + n);
                        for (MBeanAttributeInfo a : s.getMBeanInfo(n).getAttributes()) {
                            System.out.println(n + " " + a.getName() + "=" + show(s.getAttribute(n, a.getName())));
                        }
                    }
                }
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    private static String show(Object v) {
        if (v == null) {
            return "null";
        }
        if (v.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                parts.add(String.valueOf(Array.get(v, i)));
            }
            return "[" + String.join(",", parts) + "]";
        }
        if (v instanceof TabularData t) {
            List<String> parts = new ArrayList<>();
            for (Object row : t.values()) {
                CompositeData d = (CompositeData) row;
                parts.add(d.get("kind") + ":" + d.get("count"));
            }
            return "{" + String.join(",", parts) + "}";
        }
        return String.valueOf(v);
    }

    /** The command line that runs this class with java inside a namespace (as root, or through a prefix). */
    static List<String> command(String namespace, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                System.getProperty("java.home") + "/bin/java", "-cp", classes(), Probe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static String classes() {
        try {
            return Path.of(Probe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
