package io.nexussync.it.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks PromQL expressions (a dashboard's, alert rules') against a Prometheus text scrape: every metric they name must be
 * on it (a family name may stand for its {@code _bucket}, {@code _count}, {@code _sum}, {@code _total} series), every label
 * a selector matches on or an aggregation groups by must be on a series of the metrics the expression names, and a label
 * value matched with {@code =} or {@code !=} must occur. The labels Prometheus adds when it scrapes ({@code instance},
 * {@code job}) and Grafana's variables ({@code $instance}) are not looked for. Not a PromQL parser: enough of one for the
 * selectors, functions and {@code by}/{@code without} clauses the repository's files use.
 */
public final class MetricReferences {
    private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "offset", "bool", "inf", "nan");
    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_total");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    /** Per series name on the scrape, per label, the values seen. */
    private final Map<String, Map<String, Set<String>>> series = new HashMap<>();

    private MetricReferences(String scrape) {
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
            String name = line.substring(0, end);
            Map<String, Set<String>> labels = series.computeIfAbsent(name, n -> new HashMap<>());
            if (end == brace) {
                Matcher m = MATCHER.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) {
                    labels.computeIfAbsent(m.group(1), l -> new TreeSet<>()).add(m.group(3));
                }
            }
        }
    }

    /** Reads a Prometheus text-format scrape. */
    public static MetricReferences of(String scrape) {
        return new MetricReferences(scrape);
    }

    /** What {@code expression} names that the scrape lacks, each saying what and where; empty when all is there. */
    public List<String> problems(String where, String expression) {
        List<String> problems = new ArrayList<>();
        Matcher labelValues = LABEL_VALUES.matcher(expression);
        if (labelValues.find()) {
            String metric = labelValues.group(1);
            String label = labelValues.group(2);
            if (resolve(metric).isEmpty()) {
                problems.add(where + ": " + metric + " is not on /metrics (" + expression + ")");
            } else if (!SCRAPE_LABELS.contains(label) && values(resolve(metric), label) == null) {
                problems.add(where + ": no " + metric + " series has the label " + label + " (" + expression + ")");
            }
            return problems;
        }
        List<String> metrics = new ArrayList<>();
        String withoutRanges = expression.replaceAll("\\[[^\\]]*\\]", "");
        // Selectors: a name, then optionally {matchers}. Strings are taken out first so that a label value is no name.
        StringBuilder names = new StringBuilder();
        List<String[]> selectors = new ArrayList<>();
        int i = 0;
        while (i < withoutRanges.length()) {
            char c = withoutRanges.charAt(i);
            if (c == '{') {
                int close = withoutRanges.indexOf('}', i);
                String previous = lastIdentifier(names);
                selectors.add(new String[] {previous, withoutRanges.substring(i, close + 1)});
                names.append(' ');
                i = close + 1;
            } else if (c == '"') {
                int close = i + 1;
                while (withoutRanges.charAt(close) != '"' || withoutRanges.charAt(close - 1) == '\\') {
                    close++;
                }
                names.append(' ');
                i = close + 1;
            } else {
                names.append(c);
                i++;
            }
        }
        String bare = names.toString();
        Set<String> grouping = new LinkedHashSet<>();
        Matcher groups = GROUPING.matcher(bare);
        while (groups.find()) {
            for (String label : groups.group(2).split(",")) {
                if (!label.isBlank()) {
                    grouping.add(label.strip());
                }
            }
        }
        String withoutGroups = GROUPING.matcher(bare).replaceAll(" ");
        Matcher identifiers = IDENTIFIER.matcher(withoutGroups);
        while (identifiers.find()) {
            String word = identifiers.group();
            int after = identifiers.end();
            while (after < withoutGroups.length() && withoutGroups.charAt(after) == ' ') {
                after++;
            }
            boolean call = after < withoutGroups.length() && withoutGroups.charAt(after) == '(';
            boolean number = identifiers.start() > 0 && Character.isDigit(withoutGroups.charAt(identifiers.start() - 1));
            if (call || number || KEYWORDS.contains(word.toLowerCase()) || word.startsWith("$")
                    || (identifiers.start() > 0 && withoutGroups.charAt(identifiers.start() - 1) == '$')) {
                continue;
            }
            metrics.add(word);
        }
        Set<String> namedSeries = new TreeSet<>();
        for (String metric : metrics) {
            Set<String> resolved = resolve(metric);
            if (resolved.isEmpty()) {
                problems.add(where + ": " + metric + " is not on /metrics (" + expression + ")");
            }
            namedSeries.addAll(resolved);
        }
        for (String[] selector : selectors) {
            Set<String> resolved = selector[0] == null ? namedSeries : resolve(selector[0]);
            if (resolved.isEmpty()) {
                continue;
            }
            Matcher m = MATCHER.matcher(selector[1]);
            while (m.find()) {
                String label = m.group(1);
                if (SCRAPE_LABELS.contains(label)) {
                    continue;
                }
                Set<String> values = values(resolved, label);
                if (values == null) {
                    problems.add(where + ": no " + selector[0] + " series has the label " + label + " (" + expression + ")");
                } else if ((m.group(2).equals("=") || m.group(2).equals("!=")) && !m.group(3).contains("$") && !values.contains(m.group(3))) {
                    problems.add(where + ": no " + selector[0] + " series has " + label + "=\"" + m.group(3) + "\" (it has " + values + ")");
                }
            }
        }
        for (String label : grouping) {
            if (!SCRAPE_LABELS.contains(label) && !namedSeries.isEmpty() && values(namedSeries, label) == null) {
                problems.add(where + ": groups by " + label + ", which none of " + namedSeries + " has (" + expression + ")");
            }
        }
        return problems;
    }

    /** The series names on the scrape that {@code metric} stands for: itself, or its family's suffixed series. */
    private Set<String> resolve(String metric) {
        Set<String> found = new TreeSet<>();
        if (series.containsKey(metric)) {
            found.add(metric);
        }
        for (String suffix : SUFFIXES) {
            if (series.containsKey(metric + suffix)) {
                found.add(metric + suffix);
            }
        }
        return found;
    }

    /** The values of {@code label} on any of {@code names}, or null when none of them has it. */
    private Set<String> values(Set<String> names, String label) {
        Set<String> values = null;
        for (String name : names) {
            Set<String> some = series.getOrDefault(name, Map.of()).get(label);
            if (some != null) {
                values = values == null ? new TreeSet<>() : values;
                values.addAll(some);
            }
        }
        return values;
    }

    private static String lastIdentifier(CharSequence text) {
        Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*$").matcher(text);
        return m.find() ? m.group(1) : null;
    }
}
