package io.nexussync.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns JMH's JSON results ({@code -rf json}) into the Markdown table the README takes: one line per
 * benchmark and parameter, the score in the unit it counts (messages, rows, values, changes per
 * second), the time per unit, and how the run was made ({@code bench/run-jmh.sh} calls it).
 *
 * <pre>java -cp ... io.nexussync.bench.jmh.JmhReport RESULTS.json [COMMAND]</pre>
 */
public final class JmhReport {
    private JmhReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JmhReport RESULTS.json [COMMAND]");
            System.exit(2);
        }
        JsonNode results = new ObjectMapper().readTree(new File(args[0]));
        String command = args.length > 1 ? args[1] : "bench/run-jmh.sh";
        System.out.println("## JMH micro-benchmarks of the hot code");
        System.out.println();
        System.out.println("Command: `" + command + "`");
        System.out.println();
        if (results.isEmpty()) {
            System.out.println("No results (no benchmark matched, or the run failed).");
            return;
        }
        JsonNode first = results.get(0);
        System.out.printf("JMH %s, %s %s, JVM flags: %s; %d fork(s), %d warm-up iteration(s) of %s, %d measured of %s, %d thread(s); "
                        + "%d CPUs; error is the 99.9%% confidence half-width (NaN with a single iteration)%n%n",
                first.path("jmhVersion").asText("?"), first.path("vmName").asText(), first.path("jdkVersion").asText(),
                String.join(" ", texts(first.path("jvmArgs"))), first.path("forks").asInt(), first.path("warmupIterations").asInt(),
                first.path("warmupTime").asText(), first.path("measurementIterations").asInt(), first.path("measurementTime").asText(),
                first.path("threads").asInt(), Runtime.getRuntime().availableProcessors());
        System.out.println("| benchmark | parameters | score | ± error | unit | per unit |");
        System.out.println("|---|---|---:|---:|---|---:|");
        for (JsonNode result : results) {
            String name = result.path("benchmark").asText();
            String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            JsonNode metric = result.path("primaryMetric");
            double score = metric.path("score").asDouble();
            double error = metric.path("scoreError").asDouble(Double.NaN);
            String unit = metric.path("scoreUnit").asText();
            boolean perSecond = "ops/s".equals(unit);
            System.out.printf("| %s | %s | %,.0f | %s | %s | %s |%n", shortName, params(result.path("params")), score,
                    Double.isNaN(error) ? "NaN" : String.format("%,.0f", error), perSecond ? unitOf(name) : unit,
                    perSecond && score > 0 ? perUnit(1e9 / score) : "");
        }
        System.out.println();
        if (results.toString().contains("GraphPlannerBenchmark")) {
            System.out.println("* planner batch: " + GraphPlannerBenchmark.describe());
        }
        System.out.println("* decoder messages: built byte by byte as the walsender lays them out; the mixed stream is "
                + PgOutputDecoderBenchmark.STREAM_MESSAGES + " messages of the contract workload's transactions over the six tables");
    }

    /** What one operation counts, by benchmark (each uses @OperationsPerInvocation where an invocation holds many). */
    private static String unitOf(String benchmark) {
        if (benchmark.contains("PgOutputDecoderBenchmark")) {
            return "messages/s";
        }
        if (benchmark.contains("GraphPlannerBenchmark")) {
            return "changes/s";
        }
        if (benchmark.endsWith("oneValueTextToJava")) {
            return "values/s";
        }
        if (benchmark.contains("ValueConversionBenchmark")) {
            return "rows/s";
        }
        return "ops/s";
    }

    private static String perUnit(double nanos) {
        return nanos >= 10_000 ? String.format("%,.1f µs", nanos / 1_000) : String.format("%,.0f ns", nanos);
    }

    private static String params(JsonNode params) {
        if (params.isMissingNode() || params.isEmpty()) {
            return "";
        }
        List<String> out = new ArrayList<>();
        params.fields().forEachRemaining(e -> out.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(", ", out);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
