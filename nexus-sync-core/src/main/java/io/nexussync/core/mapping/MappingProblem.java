package io.nexussync.core.mapping;

/** One problem of a mapping file, at its line (0 when no line applies, e.g. the file cannot be read). */
public record MappingProblem(int line, String message) implements Comparable<MappingProblem> {
    @Override
    public int compareTo(MappingProblem other) {
        return Integer.compare(line, other.line);
    }

    @Override
    public String toString() {
        return line > 0 ? "line " + line + ": " + message : message;
    }
}
