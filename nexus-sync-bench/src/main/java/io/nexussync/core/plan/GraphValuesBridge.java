package io.nexussync.core.plan;

/**
 * Lets the JMH value-conversion benchmark call {@link GraphValues#toProperty}, which is package-private
 * in nexus-sync-core: this class sits in the same package from the benchmark jar (a plain classpath,
 * no modules), so the product keeps its narrow API. Not for anything but the benchmarks.
 */
public final class GraphValuesBridge {
    private GraphValuesBridge() {}

    /** As the planner turns a converted column value into a graph property value. */
    public static Object toProperty(Object value) {
        return GraphValues.toProperty(value);
    }
}
