package io.nexussync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws the panels of the Grafana dashboard in the repository as Grafana would query them, without Grafana: every
 * panel's PromQL goes to a real Prometheus that scraped a running service, over the run's time range, and each panel
 * becomes a chart in one PNG grid. So the README's picture of the dashboard shows what its JSON asks for, against
 * real metrics, and a panel whose query returns nothing shows up empty instead of being left out.
 *
 * <pre>DashboardRender PROMETHEUS_URL DASHBOARD_JSON START_EPOCH_S END_EPOCH_S OUTPUT_PNG</pre>
 */
public final class DashboardRender {
    private static final Color[] PALETTE = {LagChart.BLUE, LagChart.ORANGE, LagChart.GREEN, LagChart.RED, LagChart.PURPLE, LagChart.GRAY,
            new Color(0x8c564b), new Color(0xe377c2), new Color(0xbcbd22), new Color(0x17becf)};
    private static final Pattern VARIABLE_MATCHER = Pattern.compile("(!=|!~|=~|=)\"\\$\\{?(\\w+)}?\"");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String prometheus;
    private final long start;
    private final long end;
    private final long step;

    private DashboardRender(String prometheus, long start, long end) {
        this.prometheus = prometheus.replaceAll("/$", "");
        this.start = start;
        this.end = end;
        this.step = Math.max(2, (end - start) / 200);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: DashboardRender PROMETHEUS_URL DASHBOARD_JSON START_EPOCH_S END_EPOCH_S OUTPUT_PNG");
            System.exit(2);
        }
        DashboardRender render = new DashboardRender(args[0], Long.parseLong(args[2]), Long.parseLong(args[3]));
        JsonNode dashboard = render.json.readTree(Path.of(args[1]).toFile());
        List<LagChart.Panel> panels = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (JsonNode panel : render.panels(dashboard)) {
            LagChart.Panel chart = render.chart(panel);
            panels.add(chart);
            if (chart.series().isEmpty()) {
                empty.add(chart.title());
            }
        }
        String title = dashboard.path("title").asText("dashboard") + ": " + panels.size() + " panels over " + (render.end - render.start)
                + " s, queried from Prometheus as the dashboard's JSON says";
        LagChart.writeGrid(Path.of(args[4]), title, panels, 2, 800, 320);
        System.out.println("wrote " + args[4] + ": " + panels.size() + " panels" + (empty.isEmpty() ? "" : "; no data in: " + String.join(", ", empty)));
    }

    /** Every panel with queries, rows unfolded (a collapsed row keeps its panels inside it). */
    private List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(found::add);
            } else {
                found.add(panel);
            }
        }
        found.removeIf(panel -> panel.path("targets").isEmpty());
        return found;
    }

    private LagChart.Panel chart(JsonNode panel) throws IOException, InterruptedException {
        List<LagChart.Series> series = new ArrayList<>();
        for (JsonNode target : panel.path("targets")) {
            String expr = target.path("expr").asText("");
            if (expr.isBlank()) {
                continue;
            }
            JsonNode result = queryRange(grafanaToPromql(expr));
            for (JsonNode one : result) {
                double[][] points = points(one.path("values"));
                String name = legend(target.path("legendFormat").asText(""), one.path("metric"));
                series.add(new LagChart.Series(name, PALETTE[series.size() % PALETTE.length], points[0], points[1], false));
            }
        }
        String unit = panel.path("fieldConfig").path("defaults").path("unit").asText("");
        return new LagChart.Panel(panel.path("title").asText("(untitled)"), "seconds into the run", unit.isEmpty() ? "value" : unit, false,
                end - start, series, List.of());
    }

    /** Grafana's own variables and the dashboard's template variables, which Prometheus does not know: "all" for each. */
    static String grafanaToPromql(String expr) {
        String rate = expr.replace("$__rate_interval", "1m").replace("${__rate_interval}", "1m").replace("$__interval", "15s")
                .replace("${__interval}", "15s").replace("$__range", "5m").replace("${__range}", "5m");
        Matcher m = VARIABLE_MATCHER.matcher(rate);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean negative = m.group(1).startsWith("!");
            m.appendReplacement(out, Matcher.quoteReplacement(negative ? "!~\"\"" : "=~\".*\""));
        }
        m.appendTail(out);
        return out.toString();
    }

    private JsonNode queryRange(String promql) throws IOException, InterruptedException {
        String query = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&start=" + start + "&end=" + end + "&step=" + step;
        HttpRequest request = HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/query_range?" + query)).timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalStateException("Prometheus refused the dashboard's query " + promql + ": " + body.path("error").asText(response.body()));
        }
        return body.path("data").path("result");
    }

    private double[][] points(JsonNode values) {
        List<double[]> kept = new ArrayList<>();
        for (JsonNode pair : values) {
            double y = Double.parseDouble(pair.get(1).asText());
            if (Double.isFinite(y)) {
                kept.add(new double[] {pair.get(0).asDouble() - start, y});
            }
        }
        double[] x = new double[kept.size()], y = new double[kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            x[i] = kept.get(i)[0];
            y[i] = kept.get(i)[1];
        }
        return new double[][] {x, y};
    }

    private static String legend(String format, JsonNode labels) {
        if (!format.isBlank()) {
            Matcher m = LEGEND_LABEL.matcher(format);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(labels.path(m.group(1)).asText("")));
            }
            m.appendTail(out);
            return out.toString();
        }
        StringBuilder out = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> fields = labels.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> label = fields.next();
            if (!label.getKey().equals("__name__") && !label.getKey().equals("instance") && !label.getKey().equals("job")) {
                out.append(out.length() == 0 ? "" : ",").append(label.getKey()).append('=').append(label.getValue().asText());
            }
        }
        return out.length() == 0 ? labels.path("__name__").asText("value") : out.toString();
    }
}
