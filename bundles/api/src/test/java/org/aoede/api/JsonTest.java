package org.aoede.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void escapesQuotesControlsAndMarkup() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\\u003c/script\\u003e\\u0026\"", Json.string("a\"b\\c\n\u0001</script>&"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", 5L);
        m.put("l", List.of("x", true));
        m.put("z", null);
        m.put("a", new long[] {1, 2});
        assertEquals("{\"n\":5,\"l\":[\"x\",true],\"z\":null,\"a\":[1,2]}", Json.write(m));
    }

    @Test
    void exportShapeHasNumbersForScripts() {
        ExportStats st = new ExportStats(3, 2, 1, 1024, 512, Map.of("io", 1L), Map.of(), Map.of("cache-hits", 4L), 0,
                new ExportStats.Latency(new long[] {10, 100}, new long[] {1, 1, 1}));
        ExportInfo e = new ExportInfo("a", "etc/org.aoede.export-a.cfg", Map.of("shelf", "1"), ExportState.SERVING,
                "(last edit refused: key 'sync': not a boolean)", "key 'sync': not a boolean", "e1.0", 2048,
                new ExportInfo.Live("hi", List.of(), List.of()), Map.of("02:00:00:00:00:01", 5L), st);
        String json = Json.write(Json.export(e));
        for (String s : List.of("\"name\":\"a\"", "\"sectors\":2048", "\"requests\":3", "\"errors\":{\"io\":1}",
                "\"p50Micros\":100", "\"p99Micros\":-1", "\"latency\":{\"boundsMicros\":[10,100],\"counts\":[1,1,1]}",
                "\"clients\":{\"02:00:00:00:00:01\":5}", "\"configString\":\"hi\"", "\"state\":\"serving\",\"up\":true",
                "\"status\":\"serving (last edit refused: key 'sync': not a boolean)\"", "\"info\":{\"cache-hits\":4}")) {
            assertTrue(json.contains(s), s + " in " + json);
        }
        ExportStats empty = new ExportStats(0, 0, 0, 0, 0, Map.of(), Map.of(), Map.of(), 0,
                new ExportStats.Latency(new long[] {10}, new long[] {0, 0}));
        assertTrue(Json.write(Json.stats(empty)).contains("\"p50Micros\":null"));
        String port = Json.write(Json.port(new PortInfo("t0", "afpacket", true, "02:00:00:00:00:02", 1500, 2,
                List.of("a"), 7, 8, 0, 1)));
        assertTrue(port.contains("\"name\":\"t0\",\"transport\":\"afpacket\",\"up\":true") && port.contains("\"framesIn\":7"), port);
    }
}
