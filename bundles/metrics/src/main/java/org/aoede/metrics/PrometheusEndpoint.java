package org.aoede.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.aoede.api.ExportAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.HttpService;
import org.osgi.service.http.NamespaceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statistics in the Prometheus text format at {@code http://127.0.0.1:8181/metrics} (the
 * appliance's Pax Web server, loopback only by default). Every scrape reads
 * {@link ExportAdmin#exports()} and {@link ExportAdmin#ports()}: there is no state here.
 */
@Component(immediate = true, configurationPid = "org.aoede.metrics")
public class PrometheusEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusEndpoint.class);

    @interface Config {
        String path() default "/metrics";
    }

    @Reference
    private ExportAdmin admin;

    @Reference
    private HttpService http;

    private String alias;

    @Activate
    void activate(Config config) throws ServletException, NamespaceException {
        alias = config.path();
        http.registerServlet(alias, new MetricsServlet(admin), null, null);
        LOG.info("metrics: Prometheus text format at {}", alias);
    }

    @Deactivate
    void deactivate() {
        try {
            http.unregister(alias);
        } catch (IllegalArgumentException e) {
            // already gone with the HTTP service
        }
    }

    static final class MetricsServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient ExportAdmin admin;

        MetricsServlet(ExportAdmin admin) {
            this.admin = admin;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);
            PrometheusFormat.write(buf, PrometheusFormat.snapshots(admin.exports(), admin.ports()));
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType(PrometheusFormat.CONTENT_TYPE);
            resp.setHeader("Cache-Control", "no-store");
            resp.setContentLength(buf.size());
            buf.writeTo(resp.getOutputStream());
        }
    }
}
